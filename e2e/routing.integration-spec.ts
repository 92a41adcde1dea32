// Routing end to end (DESIGN.md "Routing semantics", CONTRACT.md "Routing"): the official openai
// SDK (maxRetries 0, so it hides nothing) → ingress → router → adapters → fake providers that
// inject failures. Each describe block has its own stack and fakes.
import { createServer, type AddressInfo } from 'node:net';
import OpenAI from 'openai';
import { CIRCUIT_STATE_VALUE } from '@ai-gateway/routing';
import {
  ADAPTER_MODES,
  expectEventually,
  FAKE_ANTHROPIC_API_KEY,
  startFakeAnthropic,
  startFakeOpenAi,
  startGatewayStack,
  type FakeAnthropic,
  type AdapterMode,
  type FakeOpenAi,
  type GatewayStack,
} from '@ai-gateway/testing';

const PRIMARY_KEY = 'sk-proj-routingPrimaryKey0123456789ab';
const BACKUP_KEY = 'sk-proj-routingBackupKey0123456789abc';
const SLOW_KEY = 'sk-proj-routingSlowKey0123456789abcdef';
const ASK = [{ role: 'user' as const, content: 'Say hello' }];

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function ok(result: Promise<{ status: number; body: unknown }>, ...statuses: number[]): Promise<unknown> {
  const { status, body } = await result;
  if (!(statuses.length ? statuses : [200, 201]).includes(status)) throw new Error(`admin call answered ${status}: ${JSON.stringify(body)}`);
  return body;
}

/** The sum of a Prometheus series' samples whose labels include every given one. */
async function metricSum(url: string, name: string, labels: Record<string, string>): Promise<number> {
  const text = await (await fetch(url)).text();
  return text
    .split('\n')
    .filter((line) => line.startsWith(`${name}{`) || line.startsWith(`${name} `))
    .filter((line) => Object.entries(labels).every(([label, value]) => line.includes(`${label}="${value}"`)))
    .reduce((sum, line) => sum + Number(line.split(' ').pop()), 0);
}

interface Rig {
  stack: GatewayStack;
  primary: FakeOpenAi;
  backup: FakeOpenAi;
  anthropic: FakeAnthropic;
  client: OpenAI;
  close(): Promise<void>;
}

/** openai → primary fake, backup (kind openai) → backup fake, anthropic → fake Anthropic; each holding a key. */
async function startRig(routerEnv: Record<string, string>, adapterMode: AdapterMode): Promise<Rig> {
  const primary = await startFakeOpenAi({ validKeys: [PRIMARY_KEY] });
  const backup = await startFakeOpenAi({ validKeys: [BACKUP_KEY] });
  const anthropic = await startFakeAnthropic();
  const stack = await startGatewayStack({ openaiBaseUrl: primary.baseUrl, anthropicBaseUrl: anthropic.url, routerEnv, adapterMode });
  // An OpenAI-compatible server (not on api.openai.com) serves only the models it declares.
  await ok(stack.admin('PUT', '/admin/v1/providers/backup', { kind: 'openai', baseUrl: backup.baseUrl, models: ['gpt-4o', 'gpt-4o-mini'] }));
  await ok(stack.admin('POST', '/admin/v1/provider-keys', { provider: 'openai', key: PRIMARY_KEY }), 201);
  await ok(stack.admin('POST', '/admin/v1/provider-keys', { provider: 'backup', key: BACKUP_KEY }), 201);
  await ok(stack.admin('POST', '/admin/v1/provider-keys', { provider: 'anthropic', key: FAKE_ANTHROPIC_API_KEY }), 201);
  const created = (await ok(stack.admin('POST', '/admin/v1/api-keys', { name: 'routing' }), 201)) as { key: string };
  const client = new OpenAI({ apiKey: created.key, baseURL: `${stack.ingressUrls[0]}/v1`, maxRetries: 0 });
  // The router sees keys and config through watch streams: wait until both providers serve.
  await expectEventually(async () => {
    const { response } = await client.chat.completions.create({ model: 'backup/gpt-4o', messages: ASK }).withResponse();
    expect(response.headers.get('x-gateway-provider')).toBe('backup');
  }, 10_000);
  return {
    stack,
    primary,
    backup,
    anthropic,
    client,
    close: async () => {
      await stack.close();
      await Promise.all([primary.close(), backup.close(), anthropic.close()]);
    },
  };
}

/** Priority openai, backup, anthropic; no fallbacks; fakes answer normally again. */
async function resetRouting(rig: Rig): Promise<void> {
  await ok(rig.stack.admin('PUT', '/admin/v1/routing/priority', { order: ['openai', 'backup', 'anthropic'] }));
  await ok(rig.stack.admin('PUT', '/admin/v1/routing/fallbacks', { fallbacks: {} }));
  rig.primary.setValidKeys([PRIMARY_KEY]);
  rig.backup.setValidKeys([BACKUP_KEY]);
  rig.anthropic.setScenario({ kind: 'auto' });
}

function since(fake: FakeOpenAi, from: number): number {
  return fake.requests.length - from;
}

describe.each(ADAPTER_MODES)('routing with %s adapters', (adapterMode) => {
  describe('routing: moving on to the next candidate', () => {
    let rig: Rig;

    beforeAll(async () => {
      // One retry on the same candidate; a hang is given up after 500 ms and moves on at once; the breaker stays out of the way.
      rig = await startRig({ MAX_RETRIES: '1', ATTEMPT_TIMEOUT_MS: '500', BREAKER_FAILURES: '1000' }, adapterMode);
    });
    afterAll(async () => rig?.close());
    beforeEach(async () => resetRouting(rig));

    it.each([
      ['500', { kind: 'status', status: 500 }, 2],
      [
        '529',
        { kind: 'status', status: 529, body: { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } } },
        2,
      ],
      // A silent attempt is never retried on the same provider.
      ['a hang', { kind: 'hang' }, 1],
    ] as const)('serves from the second provider when the first answers %s (retried only when it answered)', async (_case, scenario, failures) => {
      const [p, b] = [rig.primary.requests.length, rig.backup.requests.length];
      for (let i = 0; i < failures; i++) rig.primary.enqueue(scenario);
      const started = Date.now();
      const { data, response } = await rig.client.chat.completions.create({ model: 'gpt-4o', messages: ASK }).withResponse();
      expect(data.choices[0].message.content).toBe('Hello from the fake provider.');
      expect(response.headers.get('x-gateway-provider')).toBe('backup');
      expect(response.headers.get('x-gateway-model')).toBe('gpt-4o');
      expect(response.headers.get('x-gateway-attempts')).toBe(String(failures + 1));
      expect(since(rig.primary, p)).toBe(failures);
      expect(since(rig.backup, b)).toBe(1);
      expect(Date.now() - started).toBeLessThan(5_000);
    });

    it('moves on at once from a provider that refuses its key (401), without retrying that key', async () => {
      const [p, b] = [rig.primary.requests.length, rig.backup.requests.length];
      rig.primary.setValidKeys(['sk-some-other-key']);
      const { response } = await rig.client.chat.completions.create({ model: 'gpt-4o', messages: ASK }).withResponse();
      expect(response.headers.get('x-gateway-provider')).toBe('backup');
      expect(response.headers.get('x-gateway-attempts')).toBe('2');
      expect(since(rig.primary, p)).toBe(1);
      expect(since(rig.backup, b)).toBe(1);
      // The key shows as failing (by key id, never the key) until it works again or is rotated.
      const failing = (): Promise<number> =>
        metricSum(rig.stack.metricsUrl('router-0'), 'gen_ai_gateway_provider_key_failing', { gen_ai_gateway_provider_id: 'openai', http_response_status_code: '401' });
      expect(await failing()).toBe(1);
      expect(await (await fetch(rig.stack.metricsUrl('router-0'))).text()).not.toContain(PRIMARY_KEY.slice(-12));
      rig.primary.setValidKeys([PRIMARY_KEY]);
      const again = await rig.client.chat.completions.create({ model: 'gpt-4o', messages: ASK }).withResponse();
      expect(again.response.headers.get('x-gateway-provider')).toBe('openai');
      expect(await failing()).toBe(0);
    });

    it('moves on from a provider whose port refuses connections', async () => {
      const port = await closedPort();
      await ok(rig.stack.admin('PUT', '/admin/v1/providers/dead', { kind: 'openai', baseUrl: `http://127.0.0.1:${port}/v1`, models: ['gpt-4o'] }));
      await ok(rig.stack.admin('POST', '/admin/v1/provider-keys', { provider: 'dead', key: 'sk-proj-deadProviderKey0123456789abcd' }), 201);
      await ok(rig.stack.admin('PUT', '/admin/v1/routing/priority', { order: ['dead', 'backup', 'openai'] }));
      try {
        await expectEventually(async () => {
          const { response } = await rig.client.chat.completions.create({ model: 'gpt-4o', messages: ASK }).withResponse();
          expect(response.headers.get('x-gateway-provider')).toBe('backup');
          // dead, its retry, then backup.
          expect(response.headers.get('x-gateway-attempts')).toBe('3');
        }, 5_000);
      } finally {
        await ok(rig.stack.admin('PUT', '/admin/v1/providers/dead', { enabled: false }));
      }
    });

    it('falls back when a stream is cut before its first byte', async () => {
      const [p, b] = [rig.primary.requests.length, rig.backup.requests.length];
      rig.primary.enqueue({ kind: 'cut_before_first_byte' }, { kind: 'cut_before_first_byte' });
      const { data: stream, response } = await rig.client.chat.completions
        .create({ model: 'gpt-4o', messages: ASK, stream: true })
        .withResponse();
      let text = '';
      for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? '';
      expect(text).toBe('Hello from the fake provider.');
      expect(response.headers.get('x-gateway-provider')).toBe('backup');
      expect(response.headers.get('x-gateway-attempts')).toBe('3');
      expect(since(rig.primary, p)).toBe(2);
      expect(since(rig.backup, b)).toBe(1);
    });

    it("returns a provider's 400 as it is, and tries no one else", async () => {
      const [p, b] = [rig.primary.requests.length, rig.backup.requests.length];
      const message = "Invalid value for 'temperature': the fake refuses it.";
      rig.primary.enqueue({ kind: 'status', status: 400, body: { error: { message, type: 'invalid_request_error', param: 'temperature', code: 'invalid_value' } } });
      const error = await rig.client.chat.completions.create({ model: 'gpt-4o', messages: ASK }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(OpenAI.BadRequestError);
      const bad = error as InstanceType<typeof OpenAI.BadRequestError>;
      expect(bad.status).toBe(400);
      expect(bad.message).toContain(message);
      expect(bad.error).toMatchObject({ message, type: 'invalid_request_error' });
      expect(since(rig.primary, p)).toBe(1);
      expect(since(rig.backup, b)).toBe(0);
    });

    it('records retries and fallbacks in the usage event (analytics /metrics)', async () => {
      const url = rig.stack.metricsUrl('analytics');
      const fallbacks = { gen_ai_gateway_provider_id: 'backup', gen_ai_request_model: 'gpt-4o' };
      const retries = { gen_ai_gateway_provider_id: 'openai', gen_ai_request_model: 'gpt-4o' };
      // Let every earlier event land first.
      let before = { fallbacks: -1, retries: -1 };
      await expectEventually(async () => {
        const now = { fallbacks: await metricSum(url, 'gen_ai_gateway_fallbacks_total', fallbacks), retries: await metricSum(url, 'gen_ai_gateway_retries_total', retries) };
        const stable = now.fallbacks === before.fallbacks && now.retries === before.retries;
        before = now;
        expect(stable).toBe(true);
      }, 5_000, 300);
      rig.primary.enqueue({ kind: 'status', status: 503 }, { kind: 'status', status: 503 });
      const { response } = await rig.client.chat.completions.create({ model: 'gpt-4o', messages: ASK }).withResponse();
      expect(response.headers.get('x-gateway-attempts')).toBe('3');
      await expectEventually(async () => {
        expect(await metricSum(url, 'gen_ai_gateway_fallbacks_total', fallbacks)).toBe(before.fallbacks + 1);
        expect(await metricSum(url, 'gen_ai_gateway_retries_total', retries)).toBe(before.retries + 1);
      }, 10_000);
    });
  });

  describe('routing: retries, rate limits, priority, pins and fallbacks', () => {
    let rig: Rig;

    beforeAll(async () => {
      rig = await startRig({ MAX_RETRIES: '2', RETRY_AFTER_MAX_MS: '2000', BREAKER_FAILURES: '1000' }, adapterMode);
    });
    afterAll(async () => rig?.close());
    beforeEach(async () => resetRouting(rig));

    it('retries the same provider after the wait a 429 asked for (retry-after-ms)', async () => {
      const [p, b] = [rig.primary.requests.length, rig.backup.requests.length];
      rig.primary.enqueue({ kind: 'status', status: 429, headers: { 'retry-after-ms': '100' } });
      const started = Date.now();
      const { response } = await rig.client.chat.completions.create({ model: 'gpt-4o', messages: ASK }).withResponse();
      expect(Date.now() - started).toBeGreaterThanOrEqual(100);
      expect(response.headers.get('x-gateway-provider')).toBe('openai');
      expect(response.headers.get('x-gateway-attempts')).toBe('2');
      expect(since(rig.primary, p)).toBe(2);
      expect(since(rig.backup, b)).toBe(0);
    });

    it('follows the priority order, and a change applies to the very next request', async () => {
      const first = await rig.client.chat.completions.create({ model: 'gpt-4o', messages: ASK }).withResponse();
      expect(first.response.headers.get('x-gateway-provider')).toBe('openai');
      expect(first.response.headers.get('x-gateway-attempts')).toBe('1');
      await ok(rig.stack.admin('PUT', '/admin/v1/routing/priority', { order: ['backup', 'openai'] }));
      const b = rig.backup.requests.length;
      const second = await rig.client.chat.completions.create({ model: 'gpt-4o', messages: ASK }).withResponse();
      expect(second.response.headers.get('x-gateway-provider')).toBe('backup');
      expect(second.response.headers.get('x-gateway-attempts')).toBe('1');
      expect(since(rig.backup, b)).toBe(1);
      await ok(rig.stack.admin('PUT', '/admin/v1/routing/priority', { order: ['openai', 'backup'] }));
      const third = await rig.client.chat.completions.create({ model: 'gpt-4o', messages: ASK }).withResponse();
      expect(third.response.headers.get('x-gateway-provider')).toBe('openai');
    });

    it('serves `backup/gpt-4o` from backup even when openai comes first', async () => {
      const [p, b] = [rig.primary.requests.length, rig.backup.requests.length];
      const { data, response } = await rig.client.chat.completions.create({ model: 'backup/gpt-4o', messages: ASK }).withResponse();
      expect(data.choices[0].message.content).toBe('Hello from the fake provider.');
      expect(response.headers.get('x-gateway-provider')).toBe('backup');
      expect(response.headers.get('x-gateway-model')).toBe('gpt-4o');
      expect(since(rig.primary, p)).toBe(0);
      expect(since(rig.backup, b)).toBe(1);
      expect((rig.backup.requests[rig.backup.requests.length - 1].body as { model: string }).model).toBe('gpt-4o');
    });

    it('follows the fallback map across kinds: gpt-4o → claude-3-5-sonnet on Anthropic when every OpenAI-kind provider fails', async () => {
      await ok(rig.stack.admin('PUT', '/admin/v1/routing/fallbacks', { fallbacks: { 'gpt-4o': ['claude-3-5-sonnet'] } }));
      const a = rig.anthropic.requests.length;
      for (let i = 0; i < 3; i++) {
        rig.primary.enqueue({ kind: 'status', status: 500 });
        rig.backup.enqueue({ kind: 'status', status: 503 });
      }
      const { data, response } = await rig.client.chat.completions.create({ model: 'gpt-4o', messages: ASK }).withResponse();
      expect(response.headers.get('x-gateway-provider')).toBe('anthropic');
      expect(response.headers.get('x-gateway-model')).toBe('claude-3-5-sonnet-20241022');
      expect(response.headers.get('x-gateway-attempts')).toBe('7');
      expect(data.object).toBe('chat.completion');
      expect(data.choices[0].message.role).toBe('assistant');
      expect(typeof data.choices[0].message.content).toBe('string');
      expect(data.usage?.total_tokens).toBeGreaterThan(0);
      expect(rig.anthropic.requests.length - a).toBe(1);
      expect((rig.anthropic.requests[rig.anthropic.requests.length - 1].body as { model: string }).model).toBe('claude-3-5-sonnet-20241022');
    });

    // A 429 cools its key for its Retry-After: these two come last, since they leave keys cooling.
    it('moves on without waiting when Retry-After is longer than RETRY_AFTER_MAX_MS', async () => {
      const [p, b] = [rig.primary.requests.length, rig.backup.requests.length];
      rig.primary.enqueue({ kind: 'status', status: 429, headers: { 'retry-after': '30' } });
      const started = Date.now();
      const { response } = await rig.client.chat.completions.create({ model: 'gpt-4o', messages: ASK }).withResponse();
      expect(Date.now() - started).toBeLessThan(1_500);
      expect(response.headers.get('x-gateway-provider')).toBe('backup');
      expect(response.headers.get('x-gateway-attempts')).toBe('2');
      expect(since(rig.primary, p)).toBe(1);
      expect(since(rig.backup, b)).toBe(1);
      // The key cools for its Retry-After: the next request does not knock on it again.
      const next = await rig.client.chat.completions.create({ model: 'gpt-4o', messages: ASK }).withResponse();
      expect(next.response.headers.get('x-gateway-provider')).toBe('backup');
      expect(next.response.headers.get('x-gateway-attempts')).toBe('1');
      expect(since(rig.primary, p)).toBe(1);
    });

    it('answers 429 with the smallest Retry-After when every candidate rate-limits', async () => {
      rig.primary.enqueue({ kind: 'status', status: 429, headers: { 'retry-after': '7' } });
      rig.backup.enqueue({ kind: 'status', status: 429, headers: { 'retry-after': '3' } });
      const error = await rig.client.chat.completions.create({ model: 'gpt-4o', messages: ASK }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(OpenAI.RateLimitError);
      const limited = error as InstanceType<typeof OpenAI.RateLimitError>;
      expect(limited.status).toBe(429);
      expect(limited.headers?.get('retry-after')).toBe('3');
      expect(limited.error).toMatchObject({ type: 'rate_limit_exceeded', code: 'rate_limit_exceeded' });
      expect(limited.code).toBe('rate_limit_exceeded');
      expect(limited.type).toBe('rate_limit_exceeded');
    });
  });

  describe('routing: streams', () => {
    let rig: Rig;
    let slow: FakeOpenAi;

    beforeAll(async () => {
      // An attempt must show its first token within 1 s; a stream may then run longer than that.
      rig = await startRig({ MAX_RETRIES: '0', BREAKER_FAILURES: '1000', ATTEMPT_TIMEOUT_MS: '1000', FIRST_TOKEN_TIMEOUT_MS: '1000' }, adapterMode);
      slow = await startFakeOpenAi({ validKeys: [SLOW_KEY], chunkDelayMs: 300 });
      await ok(rig.stack.admin('PUT', '/admin/v1/providers/slow', { kind: 'openai', baseUrl: slow.baseUrl, models: ['gpt-4o'] }));
      await ok(rig.stack.admin('POST', '/admin/v1/provider-keys', { provider: 'slow', key: SLOW_KEY }), 201);
    });
    afterAll(async () => {
      await rig?.close();
      await slow?.close();
    });
    beforeEach(async () => resetRouting(rig));

    it('ends a stream cut after its first chunk reached the client with an error event, and does not fall back', async () => {
      // slow sends a chunk every 300 ms: the first one is at the client long before the cut.
      await ok(rig.stack.admin('PUT', '/admin/v1/routing/priority', { order: ['slow', 'openai', 'backup'] }));
      const [p, b] = [rig.primary.requests.length, rig.backup.requests.length];
      slow.enqueue({ kind: 'cut_after_chunks', chunks: 2 });
      const { data: stream, response } = await rig.client.chat.completions
        .create({ model: 'gpt-4o', messages: ASK, stream: true })
        .withResponse();
      expect(response.headers.get('x-gateway-provider')).toBe('slow');
      expect(response.headers.get('x-gateway-attempts')).toBe('1');
      const chunks: OpenAI.ChatCompletionChunk[] = [];
      const error = await (async () => {
        for await (const chunk of stream) chunks.push(chunk);
      })().then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(chunks.length).toBe(2);
      expect(chunks.map((c) => c.choices[0]?.delta?.content ?? '').join('')).toBe('Hello');
      expect(error).toBeInstanceOf(OpenAI.APIError);
      expect(since(rig.primary, p)).toBe(0);
      expect(since(rig.backup, b)).toBe(0);
    });

    it('falls back when the stream is cut before its first byte', async () => {
      const b = rig.backup.requests.length;
      rig.primary.enqueue({ kind: 'cut_before_first_byte' });
      const { data: stream, response } = await rig.client.chat.completions
        .create({ model: 'gpt-4o', messages: ASK, stream: true })
        .withResponse();
      let text = '';
      for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? '';
      expect(text).toBe('Hello from the fake provider.');
      expect(response.headers.get('x-gateway-provider')).toBe('backup');
      expect(response.headers.get('x-gateway-attempts')).toBe('2');
      expect(since(rig.backup, b)).toBe(1);
    });

    it('lets a stream run longer than FIRST_TOKEN_TIMEOUT_MS once its first token arrived', async () => {
      const started = Date.now();
      const stream = await rig.client.chat.completions.create({ model: 'slow/gpt-4o', messages: ASK, stream: true });
      let text = '';
      for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? '';
      expect(text).toBe('Hello from the fake provider.');
      expect(Date.now() - started).toBeGreaterThan(1_500);
    });

    it('closes the upstream connection within a second when the client cancels a non-streaming request', async () => {
      slow.enqueue({ kind: 'hang' });
      const abort = new AbortController();
      const pending = rig.client.chat.completions.create({ model: 'slow/gpt-4o', messages: ASK }, { signal: abort.signal }).catch((e: unknown) => e);
      await expectEventually(() => expect(slow.openConnections()).toBeGreaterThan(0), 2_000);
      await new Promise((resolve) => setTimeout(resolve, 100));
      abort.abort();
      expect(await pending).toBeInstanceOf(OpenAI.APIUserAbortError);
      // Well before the attempt's own 1 s timeout would end it.
      await expectEventually(() => expect(slow.openConnections()).toBe(0), 500);
    });

    it('closes the upstream connection within a second when the client cancels a stream', async () => {
      const abort = new AbortController();
      const stream = await rig.client.chat.completions.create({ model: 'slow/gpt-4o', messages: ASK, stream: true }, { signal: abort.signal });
      const iterator = stream[Symbol.asyncIterator]();
      const first = await iterator.next();
      expect(first.done).toBe(false);
      expect(slow.openConnections()).toBeGreaterThan(0);
      abort.abort();
      await iterator.next().catch(() => undefined);
      await expectEventually(() => expect(slow.openConnections()).toBe(0), 1_000);
    });
  });

  describe('routing: circuit breaker', () => {
    let rig: Rig;

    beforeAll(async () => {
      rig = await startRig({ MAX_RETRIES: '0', BREAKER_FAILURES: '2', BREAKER_COOLDOWN_MS: '1500' }, adapterMode);
    });
    afterAll(async () => rig?.close());
    beforeEach(async () => resetRouting(rig));

    it('skips a provider whose circuit is open, shows it in /metrics, and lets one probe through after the cooldown', async () => {
      const state = (): Promise<number> =>
        metricSum(rig.stack.metricsUrl('router-0'), 'gen_ai_gateway_circuit_breaker_state', { gen_ai_gateway_provider_id: 'openai', gen_ai_request_model: 'gpt-4o' });
      for (let i = 0; i < 2; i++) {
        rig.primary.enqueue({ kind: 'status', status: 500 });
        const { response } = await rig.client.chat.completions.create({ model: 'gpt-4o', messages: ASK }).withResponse();
        expect(response.headers.get('x-gateway-provider')).toBe('backup');
        expect(response.headers.get('x-gateway-attempts')).toBe('2');
      }
      expect(await state()).toBe(CIRCUIT_STATE_VALUE.open);
      const p = rig.primary.requests.length;
      for (let i = 0; i < 3; i++) {
        const { response } = await rig.client.chat.completions.create({ model: 'gpt-4o', messages: ASK }).withResponse();
        expect(response.headers.get('x-gateway-provider')).toBe('backup');
        expect(response.headers.get('x-gateway-attempts')).toBe('1');
      }
      expect(since(rig.primary, p)).toBe(0);

      await new Promise((resolve) => setTimeout(resolve, 1_600));
      const { response } = await rig.client.chat.completions.create({ model: 'gpt-4o', messages: ASK }).withResponse();
      expect(response.headers.get('x-gateway-provider')).toBe('openai');
      expect(response.headers.get('x-gateway-attempts')).toBe('1');
      expect(since(rig.primary, p)).toBe(1);
      expect(await state()).toBe(CIRCUIT_STATE_VALUE.closed);
    });
  });
});
