// Hedged requests (issue 18): the official openai SDK → ingress → router → fake providers, with
// the model's hedge policy injected into the router (RouterDeps.hedgeFor) until the routing
// policy store is wired in. The tests assert which leg won, that the loser's provider request
// was aborted (the fake saw its connection close before the answer), and the one usage event;
// how much hedging cuts the tail is measured by `npm run bench`, not here.
import type { NatsConnection } from '@nats-io/nats-core';
import { connect } from '@nats-io/transport-node';
import { trace } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import OpenAI from 'openai';
import { USAGE_SUBJECT } from '@ai-gateway/nats';
import { UsageEvent } from '@ai-gateway/proto';
import { hedgeBurst, type HedgePolicy } from '@ai-gateway/routing';
import {
  ADAPTER_MODES,
  expectEventually,
  FAKE_ANTHROPIC_API_KEY,
  startFakeAnthropic,
  startFakeOpenAi,
  startGatewayStack,
  type FakeAnthropic,
  type FakeOpenAi,
  type GatewayStack,
} from '@ai-gateway/testing';

const PRIMARY_KEY = 'sk-proj-hedgePrimaryKey0123456789abcdef';
const BACKUP_KEY = 'sk-proj-hedgeBackupKey0123456789abcdefg';
const SECOND_PRIMARY_KEY = 'sk-proj-hedgeSecondKey0123456789abcdefg';
const ASK = [{ role: 'user' as const, content: 'Say hello' }];
/** Long next to any hedge delay below: a leg this slow never answers first within a test. */
const NEVER_IN_TIME_MS = 60_000;

async function ok(result: Promise<{ status: number; body: unknown }>, ...statuses: number[]): Promise<unknown> {
  const { status, body } = await result;
  if (!(statuses.length ? statuses : [200, 201]).includes(status)) throw new Error(`admin call answered ${status}: ${JSON.stringify(body)}`);
  return body;
}

/** Every span the services end (they run in this process), for the hedge attributes. */
const spans = new InMemorySpanExporter();
beforeAll(() => trace.setGlobalTracerProvider(new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter: spans })] })));
afterAll(() => trace.disable());

describe.each(ADAPTER_MODES)('hedged requests with %s adapters', (adapterMode) => {
  let stack: GatewayStack;
  let primary: FakeOpenAi;
  let backup: FakeOpenAi;
  let anthropic: FakeAnthropic;
  let client: OpenAI;
  let nc: NatsConnection;
  const events: UsageEvent[] = [];
  /** The hedge policy per model the router reads (what the routing policy store will provide). */
  const policies = new Map<string, HedgePolicy>();
  /** The recent p95 time to first token per provider and model the router reads (the provider stats' figure). */
  const p95s = new Map<string, number>();

  beforeAll(async () => {
    primary = await startFakeOpenAi({ validKeys: [PRIMARY_KEY, SECOND_PRIMARY_KEY] });
    backup = await startFakeOpenAi({ validKeys: [BACKUP_KEY] });
    anthropic = await startFakeAnthropic();
    stack = await startGatewayStack({
      openaiBaseUrl: primary.baseUrl,
      anthropicBaseUrl: anthropic.url,
      logLevel: 'warn',
      adapterMode,
      // No retries on the same provider, and the breaker out of the way: each test sees the plan as it is.
      routerEnv: { MAX_RETRIES: '0', BREAKER_FAILURES: '1000', BREAKER_FAILURE_RATE_PERCENT: '0' },
      routerDeps: { hedgeFor: (model: string) => policies.get(model), ttftP95For: (provider: string, model: string) => p95s.get(`${provider}/${model}`) },
    });
    await ok(stack.admin('PUT', '/admin/v1/providers/backup', { kind: 'openai', baseUrl: backup.baseUrl, models: ['gpt-4o', 'gpt-4o-mini'] }));
    await ok(stack.admin('POST', '/admin/v1/provider-keys', { provider: 'openai', key: PRIMARY_KEY }), 201);
    await ok(stack.admin('POST', '/admin/v1/provider-keys', { provider: 'backup', key: BACKUP_KEY }), 201);
    await ok(stack.admin('POST', '/admin/v1/provider-keys', { provider: 'anthropic', key: FAKE_ANTHROPIC_API_KEY }), 201);
    await ok(stack.admin('PUT', '/admin/v1/routing/priority', { order: ['openai', 'backup', 'anthropic'] }));
    // When both gpt-4o providers fail, the plan goes on to Anthropic.
    await ok(stack.admin('PUT', '/admin/v1/routing/fallbacks', { fallbacks: { 'gpt-4o': ['claude-3-5-sonnet'], 'gpt-3.5-turbo': ['claude-3-5-sonnet'] } }));
    const created = (await ok(stack.admin('POST', '/admin/v1/api-keys', { name: 'hedging' }), 201)) as { key: string };
    client = new OpenAI({ apiKey: created.key, baseURL: `${stack.ingressUrls[0]}/v1`, maxRetries: 0 });
    await expectEventually(async () => {
      const { response } = await client.chat.completions.create({ model: 'backup/gpt-4o', messages: ASK }).withResponse();
      expect(response.headers.get('x-gateway-provider')).toBe('backup');
    }, 10_000);
    nc = await connect({ servers: stack.nats.url });
    const subscription = nc.subscribe(USAGE_SUBJECT);
    void (async () => {
      for await (const message of subscription) events.push(UsageEvent.decode(message.data));
    })();
  });

  afterAll(async () => {
    await nc?.close();
    await stack?.close();
    await Promise.all([primary?.close(), backup?.close(), anthropic?.close()]);
  });

  beforeEach(() => {
    policies.clear();
    p95s.clear();
    primary.setPersistent(undefined);
    backup.setPersistent(undefined);
  });

  async function usageEventOf(response: Response): Promise<UsageEvent> {
    const requestId = response.headers.get('x-request-id');
    let found: UsageEvent | undefined;
    await expectEventually(() => {
      found = events.find((event) => event.requestId === requestId || event.correlationId === requestId);
      expect(found).toBeDefined();
    }, 5_000);
    return found as UsageEvent;
  }

  function eventsFor(requestId: string | null): UsageEvent[] {
    return events.filter((event) => event.requestId === requestId || event.correlationId === requestId);
  }

  it('unary: the first leg has no answer after afterMs, the hedge on the next provider answers, the first is aborted upstream', async () => {
    policies.set('gpt-4o', { afterMs: 200, maxShare: 1 });
    primary.enqueue({ kind: 'delay', delayMs: NEVER_IN_TIME_MS });
    const abortedBefore = primary.abortedChats();
    const backupBefore = backup.chatRequests();

    const { data, response } = await client.chat.completions.create({ model: 'gpt-4o', messages: ASK }).withResponse();

    expect(data.choices[0].message.content).toBe('Hello from the fake provider.');
    expect(response.headers.get('x-gateway-provider')).toBe('backup');
    expect(response.headers.get('x-gateway-attempts')).toBe('2');
    expect(backup.chatRequests() - backupBefore).toBe(1);
    await expectEventually(() => expect(primary.abortedChats() - abortedBefore).toBe(1), 5_000);
    const event = await usageEventOf(response);
    expect(event.hedged).toBe(true);
    expect(event.provider).toBe('backup');
    expect(event.outcome).toBe('success');
    expect(event.attempts.map((a) => [a.provider, a.outcome, a.hedge])).toEqual([
      ['openai', 'hedge_lost', true],
      ['backup', 'success', true],
    ]);
    expect(eventsFor(response.headers.get('x-request-id'))).toHaveLength(1);
    // Both attempt spans say they were hedged legs, and which one won.
    await expectEventually(() => {
      const legs = spans.getFinishedSpans().filter((span) => span.name.startsWith('attempt ') && span.attributes['gateway.request.id'] === event.requestId);
      expect(legs.map((span) => [span.name, span.attributes['gateway.hedge'], span.attributes['gateway.hedge.leg'], span.attributes['gateway.hedge.won']]).sort()).toEqual([
        ['attempt backup', true, 'second', true],
        ['attempt openai', true, 'first', false],
      ]);
    }, 5_000);
  });

  it('stream: a role-only chunk is no first byte; the hedge that sends content first wins and the first leg is aborted', async () => {
    policies.set('gpt-4o', { afterMs: 200, maxShare: 1 });
    primary.enqueue({ kind: 'slow_first_token', delayMs: NEVER_IN_TIME_MS });
    const abortedBefore = primary.abortedChats();

    const { data: stream, response } = await client.chat.completions.create({ model: 'gpt-4o', messages: ASK, stream: true, stream_options: { include_usage: true } }).withResponse();
    let text = '';
    let usage: OpenAI.CompletionUsage | null | undefined;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta?.content ?? '';
      if (chunk.usage) usage = chunk.usage;
    }

    expect(text).toBe('Hello from the fake provider.');
    expect(usage?.completion_tokens).toBe(6);
    expect(response.headers.get('x-gateway-provider')).toBe('backup');
    await expectEventually(() => expect(primary.abortedChats() - abortedBefore).toBe(1), 5_000);
    const event = await usageEventOf(response);
    expect(event.hedged).toBe(true);
    expect(event.stream).toBe(true);
    expect(event.attempts.map((a) => [a.provider, a.outcome])).toEqual([
      ['openai', 'hedge_lost'],
      ['backup', 'success'],
    ]);
    expect(event.usage?.completionTokens).toBe(6);
  });

  it('stream: the winning leg failing after content ends the stream in-band, with no fallback and no second chance for the loser', async () => {
    policies.set('gpt-4o', { afterMs: 200, maxShare: 1 });
    primary.enqueue({ kind: 'slow_first_token', delayMs: NEVER_IN_TIME_MS });
    backup.enqueue({ kind: 'cut_after_chunks', chunks: 3 });
    const anthropicBefore = anthropic.requests.length;
    const requestId = `hedge-cut-${Date.now()}`;

    const stream = await client.chat.completions.create({ model: 'gpt-4o', messages: ASK, stream: true }, { headers: { 'x-request-id': requestId } });
    let text = '';
    const failure = await (async () => {
      for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? '';
    })().then(
      () => undefined,
      (error: unknown) => error,
    );

    expect(failure).toBeDefined();
    expect(text.length).toBeGreaterThan(0);
    expect(anthropic.requests.length - anthropicBefore).toBe(0);
    await expectEventually(() => expect(eventsFor(requestId)).toHaveLength(1), 5_000);
    const [event] = eventsFor(requestId);
    expect(event.outcome).toBe('error');
    expect(event.httpStatus).toBe(200);
    expect(event.attempts.map((a) => [a.provider, a.outcome])).toEqual([
      ['openai', 'hedge_lost'],
      ['backup', 'stream_cut'],
    ]);
  });

  it('does not hedge when the first byte arrives before afterMs', async () => {
    policies.set('gpt-4o', { afterMs: 20_000, maxShare: 1 });
    const backupBefore = backup.chatRequests();

    const { response } = await client.chat.completions.create({ model: 'gpt-4o', messages: ASK }).withResponse();

    expect(response.headers.get('x-gateway-provider')).toBe('openai');
    expect(backup.chatRequests() - backupBefore).toBe(0);
    const event = await usageEventOf(response);
    expect(event.hedged ?? false).toBe(false);
    expect(event.attempts.map((a) => [a.provider, a.outcome, a.hedge ?? false])).toEqual([['openai', 'success', false]]);
  });

  it('afterMs "p95": no hedge without enough samples (no p95 yet), a hedge after the provider and model\'s p95 once known', async () => {
    policies.set('gpt-4o', { afterMs: 'p95', maxShare: 1 });
    primary.enqueue({ kind: 'delay', delayMs: 400 });
    const backupBefore = backup.chatRequests();
    const { response: unknown } = await client.chat.completions.create({ model: 'gpt-4o', messages: ASK }).withResponse();
    expect(unknown.headers.get('x-gateway-provider')).toBe('openai');
    expect(backup.chatRequests() - backupBefore).toBe(0);
    expect((await usageEventOf(unknown)).hedged ?? false).toBe(false);

    p95s.set('openai/gpt-4o', 100);
    primary.enqueue({ kind: 'delay', delayMs: NEVER_IN_TIME_MS });
    const { response: known } = await client.chat.completions.create({ model: 'gpt-4o', messages: ASK }).withResponse();
    expect(known.headers.get('x-gateway-provider')).toBe('backup');
    expect((await usageEventOf(known)).hedged).toBe(true);
  });

  it('never hedges onto a fallback model: with one provider and one key, a slow first byte is waited for', async () => {
    policies.set('gpt-3.5-turbo', { afterMs: 100, maxShare: 1 });
    primary.enqueue({ kind: 'delay', delayMs: 500 });
    const anthropicBefore = anthropic.requests.length;

    const { response } = await client.chat.completions.create({ model: 'gpt-3.5-turbo', messages: ASK }).withResponse();

    expect(response.headers.get('x-gateway-provider')).toBe('openai');
    expect(anthropic.requests.length - anthropicBefore).toBe(0);
    expect((await usageEventOf(response)).hedged ?? false).toBe(false);
  });

  it('does not hedge a model without a hedge policy, however slow its first byte', async () => {
    primary.enqueue({ kind: 'delay', delayMs: 500 });
    const backupBefore = backup.chatRequests();

    const { response } = await client.chat.completions.create({ model: 'gpt-4o', messages: ASK }).withResponse();

    expect(response.headers.get('x-gateway-provider')).toBe('openai');
    expect(backup.chatRequests() - backupBefore).toBe(0);
    expect((await usageEventOf(response)).hedged ?? false).toBe(false);
  });

  it('hedges at most burst + N × maxShare of N requests when every first leg is slow', async () => {
    const share = 0.1;
    const requests = 10;
    policies.set('gpt-4o-mini', { afterMs: 100, maxShare: share });
    primary.setPersistent({ kind: 'delay', delayMs: 600 });
    const backupBefore = backup.chatRequests();
    const ids: Array<string | null> = [];

    for (let i = 0; i < requests; i++) {
      const { response } = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: ASK }).withResponse();
      ids.push(response.headers.get('x-request-id'));
    }

    await expectEventually(() => expect(ids.every((id) => eventsFor(id).length === 1)).toBe(true), 5_000);
    const served = ids.map((id) => eventsFor(id)[0]);
    const hedged = served.filter((event) => event.hedged);
    expect(hedged.length).toBeGreaterThanOrEqual(1);
    expect(hedged.length).toBeLessThanOrEqual(Math.floor(hedgeBurst(share) + requests * share));
    expect(hedged.length).toBeLessThan(requests);
    expect(backup.chatRequests() - backupBefore).toBe(hedged.length);
    // The requests over the cap waited for their slow first leg, as without hedging.
    for (const event of served.filter((e) => !e.hedged)) expect(event.attempts.map((a) => [a.provider, a.outcome])).toEqual([['openai', 'success']]);
  });

  it('a client leaving cancels both legs upstream, and the request is recorded once as cancelled', async () => {
    policies.set('gpt-4o', { afterMs: 100, maxShare: 1 });
    primary.enqueue({ kind: 'slow_first_token', delayMs: NEVER_IN_TIME_MS });
    backup.enqueue({ kind: 'slow_first_token', delayMs: NEVER_IN_TIME_MS });
    const before = { primary: primary.abortedChats(), backup: backup.abortedChats(), backupChats: backup.chatRequests() };
    const requestId = `hedge-cancel-${Date.now()}`;
    const abort = new AbortController();

    const pending = client.chat.completions
      .create({ model: 'gpt-4o', messages: ASK, stream: true }, { signal: abort.signal, headers: { 'x-request-id': requestId } })
      .then(async (stream) => {
        for await (const chunk of stream) void chunk;
      })
      .catch((error: unknown) => error);
    await expectEventually(() => expect(backup.chatRequests() - before.backupChats).toBe(1), 5_000);
    abort.abort();
    await pending;

    await expectEventually(() => {
      expect(primary.abortedChats() - before.primary).toBe(1);
      expect(backup.abortedChats() - before.backup).toBe(1);
    }, 5_000);
    await expectEventually(() => expect(eventsFor(requestId)).toHaveLength(1), 5_000);
    const [event] = eventsFor(requestId);
    expect(event.outcome).toBe('cancelled');
    expect(event.hedged).toBe(true);
    // The event goes out as the client leaves; the legs' own records may not have ended by then.
    expect(event.attempts.every((a) => a.hedge && a.outcome === 'cancelled')).toBe(true);
  });

  it('one leg failing while the other runs is waited out; both failing continue the plan with the next candidate', async () => {
    policies.set('gpt-4o', { afterMs: 100, maxShare: 1 });
    // The first leg fails late, the hedge on backup fails at once; backup keeps failing, anthropic serves.
    primary.enqueue({ kind: 'delay', delayMs: 600, status: 503 });
    backup.setPersistent({ kind: 'status', status: 503 });

    const { data, response } = await client.chat.completions.create({ model: 'gpt-4o', messages: ASK }).withResponse();

    expect(data.choices[0].message.content).toBeTruthy();
    expect(response.headers.get('x-gateway-provider')).toBe('anthropic');
    const event = await usageEventOf(response);
    expect(event.hedged).toBe(true);
    const legs = event.attempts.filter((a) => a.hedge);
    expect(legs.map((a) => [a.provider, a.status]).sort()).toEqual([
      ['backup', 503],
      ['openai', 503],
    ]);
    expect(event.attempts[event.attempts.length - 1]).toMatchObject({ provider: 'anthropic', outcome: 'success' });
  });

  it('with one provider, the hedge goes to another key of it, never the same key', async () => {
    policies.set('gpt-4o', { afterMs: 200, maxShare: 1 });
    const added = (await ok(stack.admin('POST', '/admin/v1/provider-keys', { provider: 'openai', key: SECOND_PRIMARY_KEY, name: 'second' }), 201)) as { id: string };
    try {
      // The listing has a key's pool status once the router holds it.
      await expectEventually(async () => {
        const listed = (await ok(stack.admin('GET', '/admin/v1/provider-keys'))) as Array<{ id: string; status?: string }>;
        expect(listed.find((entry) => entry.id === added.id)?.status).toBe('ok');
      }, 10_000);
      const from = primary.requests.length;
      primary.enqueue({ kind: 'delay', delayMs: NEVER_IN_TIME_MS });
      const abortedBefore = primary.abortedChats();
      const { response } = await client.chat.completions.create({ model: 'openai/gpt-4o', messages: ASK }).withResponse();
      const event = await usageEventOf(response);
      expect(event.hedged).toBe(true);
      expect(event.attempts.map((a) => [a.provider, a.outcome])).toEqual([
        ['openai', 'hedge_lost'],
        ['openai', 'success'],
      ]);
      const keys = primary.requests.slice(from).map((r) => r.headers.authorization);
      expect(keys).toHaveLength(2);
      expect(new Set(keys).size).toBe(2);
      await expectEventually(() => expect(primary.abortedChats() - abortedBefore).toBe(1), 5_000);
    } finally {
      await ok(stack.admin('DELETE', `/admin/v1/provider-keys/${added.id}`), 204);
    }
  });

  it('never puts a provider key, whole or as any 16-character slice, in a usage event or a log line', async () => {
    policies.set('gpt-4o', { afterMs: 100, maxShare: 1 });
    primary.enqueue({ kind: 'delay', delayMs: NEVER_IN_TIME_MS });
    const { response } = await client.chat.completions.create({ model: 'gpt-4o', messages: ASK }).withResponse();
    expect((await usageEventOf(response)).hedged).toBe(true);
    const written = [JSON.stringify(events), stack.logText()].join('\n');
    const leaks: string[] = [];
    for (const secret of [PRIMARY_KEY, BACKUP_KEY, SECOND_PRIMARY_KEY]) {
      for (let i = 0; i + 16 <= secret.length; i++) if (written.includes(secret.slice(i, i + 16))) leaks.push(`${secret.slice(0, 12)}…[${i}]`);
    }
    expect(leaks).toEqual([]);
  });

  it('the hedge failing while the first leg runs does not fail the request: the first leg answers', async () => {
    policies.set('gpt-4o', { afterMs: 100, maxShare: 1 });
    primary.enqueue({ kind: 'delay', delayMs: 600 });
    backup.setPersistent({ kind: 'status', status: 500 });

    const { response } = await client.chat.completions.create({ model: 'gpt-4o', messages: ASK }).withResponse();

    expect(response.headers.get('x-gateway-provider')).toBe('openai');
    const event = await usageEventOf(response);
    expect(event.attempts.map((a) => [a.provider, a.outcome, a.hedge])).toEqual([
      ['backup', 'error', true],
      ['openai', 'success', true],
    ]);
  });
});
