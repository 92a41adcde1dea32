// The two adapter modes where they differ most (README "Adapters: embedded or service"): a slow
// client's backpressure reaches the provider read in both (embedded: through the router's relay;
// service: through the adapter's gRPC call), a hedged stream's winning leg included, and in
// service mode the adapter is a process of its own that can go away mid-answer.
import OpenAI from 'openai';
import { ADAPTER_MODES, expectEventually, startFakeOpenAi, startGatewayStack, type AdapterMode, type FakeOpenAi, type GatewayStack } from '@ai-gateway/testing';

const PROVIDER_KEY = 'sk-proj-modesProviderKey0123456789abcd';
const BACKUP_KEY = 'sk-proj-modesBackupKey0123456789abcdefg';
const MiB = 1024 * 1024;
/** 32 MiB of content in 8 KiB words: four times what the router may hold for a caller that stopped reading (MAX_UNREAD_STREAM_BYTES). */
const WORD = 'x'.repeat(8 * 1024);
const WORDS = 4096;
const ASK = [{ role: 'user' as const, content: 'Say a lot' }];

async function startRig(adapterMode: AdapterMode, replyWords?: string[], chunkDelayMs?: number) {
  const upstream = await startFakeOpenAi({ validKeys: [PROVIDER_KEY], replyWords, chunkDelayMs });
  const stack = await startGatewayStack({ openaiBaseUrl: upstream.baseUrl, adapterMode, logLevel: 'warn' });
  const created = await stack.admin('POST', '/admin/v1/api-keys', { name: `modes-${adapterMode}` });
  expect(created.status).toBe(201);
  expect((await stack.admin('POST', '/admin/v1/provider-keys', { provider: 'openai', key: PROVIDER_KEY })).status).toBe(201);
  const client = new OpenAI({ apiKey: (created.body as { key: string }).key, baseURL: `${stack.ingressUrls[0]}/v1`, maxRetries: 0 });
  // The router sees the key through its watch: wait until the model is served.
  await expectEventually(async () => {
    const models = await client.models.list();
    expect(models.data.map((m) => m.id)).toContain('gpt-4o');
  }, 10_000);
  return { upstream, stack, client };
}

describe.each(ADAPTER_MODES)('%s adapters: backpressure from a slow client to the provider', (adapterMode) => {
  let upstream: FakeOpenAi;
  let stack: GatewayStack;
  let client: OpenAI;

  beforeAll(async () => {
    ({ upstream, stack, client } = await startRig(adapterMode, Array.from({ length: WORDS }, () => WORD)));
  });
  afterAll(async () => {
    await stack?.close();
    await upstream?.close();
  });

  it('a client that stops reading stops the read from the provider, and gets the whole answer once it reads again', async () => {
    const stream = await client.chat.completions.create({ model: 'gpt-4o', messages: ASK, stream: true });
    // The client reads nothing: the provider's bytes stay with the provider, not in the gateway.
    await expectEventually(() => expect(upstream.unsentBytes()).toBeGreaterThan(16 * MiB), 20_000);
    expect(upstream.openConnections()).toBe(1);
    let content = 0;
    let finish: string | null = null;
    for await (const chunk of stream) {
      content += chunk.choices[0]?.delta.content?.length ?? 0;
      finish = chunk.choices[0]?.finish_reason ?? finish;
    }
    expect(content).toBe(WORDS * WORD.length);
    expect(finish).toBe('stop');
  });
});

describe.each(ADAPTER_MODES)('%s adapters: a hedged stream under a client that stops reading', (adapterMode) => {
  let primary: FakeOpenAi;
  let backup: FakeOpenAi;
  let stack: GatewayStack;
  let client: OpenAI;

  beforeAll(async () => {
    ({ upstream: primary, stack, client } = await startRig(adapterMode));
    backup = await startFakeOpenAi({ validKeys: [BACKUP_KEY], replyWords: Array.from({ length: WORDS }, () => WORD) });
    expect((await stack.admin('PUT', '/admin/v1/providers/backup', { kind: 'openai', baseUrl: backup.baseUrl, models: ['gpt-4o'] })).status).toBe(201);
    expect((await stack.admin('POST', '/admin/v1/provider-keys', { provider: 'backup', key: BACKUP_KEY })).status).toBe(201);
    expect((await stack.admin('PUT', '/admin/v1/routing/priority', { order: ['openai', 'backup'] })).status).toBe(200);
    const policies = { default: { strategy: 'priority' }, models: { 'gpt-4o': { strategy: 'priority', hedge: { afterMs: 200, maxShare: 1 } } } };
    expect((await stack.admin('PUT', '/admin/v1/routing/policies', policies)).status).toBe(200);
    // The policy reaches the router through its config watch: until then the first leg is waited for (cut here after 3 s).
    await expectEventually(async () => {
      primary.enqueue({ kind: 'slow_first_token', delayMs: 60_000 });
      const stream = await client.chat.completions.create({ model: 'gpt-4o', messages: ASK, stream: true }, { signal: AbortSignal.timeout(3_000) });
      for await (const chunk of stream) if (chunk.choices[0]?.delta.content) break;
    }, 20_000);
  }, 40_000);
  afterAll(async () => {
    await stack?.close();
    await Promise.all([primary?.close(), backup?.close()]);
  });

  it('the hedge that wins is held back at the provider as an unhedged stream is, the loser is cut, and the whole answer arrives once the client reads', async () => {
    await expectEventually(() => expect([primary.openConnections(), backup.openConnections()]).toEqual([0, 0]), 5_000);
    primary.enqueue({ kind: 'slow_first_token', delayMs: 60_000 });
    const abortedBefore = primary.abortedChats();
    const { data: stream, response } = await client.chat.completions.create({ model: 'gpt-4o', messages: ASK, stream: true }).withResponse();
    expect(response.headers.get('x-gateway-provider')).toBe('backup');
    // Nothing read: the winning leg's bytes stay with its provider, not in the router or the hedge executor.
    await expectEventually(() => expect(backup.unsentBytes()).toBeGreaterThan(16 * MiB), 20_000);
    expect(backup.openConnections()).toBe(1);
    await expectEventually(() => expect([primary.abortedChats() - abortedBefore, primary.openConnections()]).toEqual([1, 0]), 5_000);
    let content = 0;
    for await (const chunk of stream) content += chunk.choices[0]?.delta.content?.length ?? 0;
    expect(content).toBe(WORDS * WORD.length);
    await expectEventually(() => expect(backup.openConnections()).toBe(0), 5_000);
  }, 60_000);
});

describe('service mode: the adapter service stops mid-stream', () => {
  let upstream: FakeOpenAi;
  let stack: GatewayStack;
  let client: OpenAI;

  beforeAll(async () => {
    // Longer than the adapter's drain gives a stream in flight (5 s): stopping it cuts this one.
    ({ upstream, stack, client } = await startRig('service', Array.from({ length: 300 }, (_, i) => ` w${i}`), 30));
  });
  afterAll(async () => {
    await stack?.close();
    await upstream?.close();
  });

  it('ends the stream with an in-band error (never [DONE]), cancels the provider request, and answers 503 while it is down', async () => {
    const stream = await client.chat.completions.create({ model: 'gpt-4o', messages: ASK, stream: true });
    let chunks = 0;
    let failure: unknown;
    try {
      for await (const chunk of stream) {
        if (chunk.choices[0]?.delta.content) chunks++;
        if (chunks === 3) void stack.stopApp('adapter-openai');
      }
    } catch (error) {
      failure = error;
    }
    expect(chunks).toBeGreaterThanOrEqual(3);
    expect(chunks).toBeLessThan(300);
    // An in-band error event, not a clean end: the SDK throws it. The cut is our adapter
    // service's (its drain), not the client leaving: an interrupted stream, counted as a failure.
    expect(failure).toBeInstanceOf(OpenAI.APIError);
    expect((failure as InstanceType<typeof OpenAI.APIError>).code).toBe('stream_interrupted');
    await expectEventually(async () => {
      const metrics = await (await fetch(stack.metricsUrl('analytics'))).text();
      expect(metrics).toMatch(/gen_ai_gateway_requests_total\{[^}]*outcome="error"[^}]*error_type="stream_interrupted"[^}]*\} 1/);
    }, 10_000);
    await expectEventually(() => expect(upstream.openConnections()).toBe(0), 5_000);
    const down = await client.chat.completions.create({ model: 'gpt-4o', messages: ASK }).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(down).toBeInstanceOf(OpenAI.APIError);
    expect((down as InstanceType<typeof OpenAI.APIError>).status).toBe(503);
  });
});
