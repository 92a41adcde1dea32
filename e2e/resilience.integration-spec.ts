// Resilience end to end (DESIGN.md "Routing semantics", failure taxonomy; issue 12): the official
// openai SDK (maxRetries 0) → ingress → router → adapters → fakes that misbehave on command.
// Every case states its outcome, the attempts per provider (fake request counts and
// x-gateway-attempts) and an upper bound on its time, under short configured limits; the
// bounds are generous (several times the limits) so that a loaded machine cannot fail them,
// while the old behaviour (retrying a silent provider, waiting 60 s) could not pass them.
import type { NatsConnection } from '@nats-io/nats-core';
import { connect } from '@nats-io/transport-node';
import OpenAI from 'openai';
import { UsageEvent } from '@ai-gateway/proto';
import { CIRCUIT_STATE_VALUE } from '@ai-gateway/routing';
import {
  expectEventually,
  FAKE_ANTHROPIC_API_KEY,
  startFakeAnthropic,
  startFakeOpenAi,
  startGatewayStack,
  type FakeAnthropic,
  type FakeOpenAi,
  type GatewayStack,
} from '@ai-gateway/testing';

const PRIMARY_KEY = 'sk-proj-resiliencePrimaryKey0123456789';
const BACKUP_KEY = 'sk-proj-resilienceBackupKey01234567890';
const ASK = [{ role: 'user' as const, content: 'Say hello' }];
const ANSWER = 'Hello from the fake provider.';
const USAGE_SUBJECT = 'gateway.usage.v1';

async function ok(result: Promise<{ status: number; body: unknown }>, ...statuses: number[]): Promise<unknown> {
  const { status, body } = await result;
  if (!(statuses.length ? statuses : [200, 201]).includes(status)) throw new Error(`admin call answered ${status}: ${JSON.stringify(body)}`);
  return body;
}

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
  apiKey: string;
  nc: NatsConnection;
  /** Usage events seen on the wire, in order. */
  events: UsageEvent[];
  close(): Promise<void>;
}

/** openai → primary fake, backup (an OpenAI-compatible server declaring gpt-4o) → backup fake, anthropic → fake Anthropic. */
async function startRig(routerEnv: Record<string, string>): Promise<Rig> {
  // A short pause between chunks, so a cut or a stall comes after the earlier chunks left the fake.
  const primary = await startFakeOpenAi({ validKeys: [PRIMARY_KEY], chunkDelayMs: 20 });
  const backup = await startFakeOpenAi({ validKeys: [BACKUP_KEY] });
  const anthropic = await startFakeAnthropic();
  const stack = await startGatewayStack({ openaiBaseUrl: primary.baseUrl, anthropicBaseUrl: anthropic.url, routerEnv, logLevel: 'warn', adapterMode: 'service' });
  await ok(stack.admin('PUT', '/admin/v1/providers/backup', { kind: 'openai', baseUrl: backup.baseUrl, models: ['gpt-4o'] }));
  await ok(stack.admin('POST', '/admin/v1/provider-keys', { provider: 'openai', key: PRIMARY_KEY }), 201);
  await ok(stack.admin('POST', '/admin/v1/provider-keys', { provider: 'backup', key: BACKUP_KEY }), 201);
  await ok(stack.admin('POST', '/admin/v1/provider-keys', { provider: 'anthropic', key: FAKE_ANTHROPIC_API_KEY }), 201);
  const created = (await ok(stack.admin('POST', '/admin/v1/api-keys', { name: 'resilience' }), 201)) as { key: string };
  const client = new OpenAI({ apiKey: created.key, baseURL: `${stack.ingressUrls[0]}/v1`, maxRetries: 0 });
  await expectEventually(async () => {
    const { response } = await client.chat.completions.create({ model: 'backup/gpt-4o', messages: ASK }).withResponse();
    expect(response.headers.get('x-gateway-provider')).toBe('backup');
  }, 10_000);
  const nc = await connect({ servers: stack.nats.url });
  const events: UsageEvent[] = [];
  const subscription = nc.subscribe(USAGE_SUBJECT);
  void (async () => {
    for await (const message of subscription) events.push(UsageEvent.decode(message.data));
  })();
  return {
    stack,
    primary,
    backup,
    anthropic,
    client,
    apiKey: created.key,
    nc,
    events,
    close: async () => {
      await nc.close();
      await stack.close();
      await Promise.all([primary.close(), backup.close(), anthropic.close()]);
    },
  };
}

async function resetRouting(rig: Rig): Promise<void> {
  await ok(rig.stack.admin('PUT', '/admin/v1/routing/priority', { order: ['openai', 'backup', 'anthropic'] }));
  await ok(rig.stack.admin('PUT', '/admin/v1/routing/fallbacks', { fallbacks: {} }));
  rig.primary.setPersistent(undefined);
  rig.backup.setPersistent(undefined);
  rig.anthropic.setScenario({ kind: 'auto' });
}

/** Chat requests each provider received since `counts()` was taken. */
function counter(rig: Rig): () => { primary: number; backup: number; anthropic: number } {
  const start = { primary: rig.primary.chatRequests(), backup: rig.backup.chatRequests(), anthropic: rig.anthropic.requests.length };
  return () => ({
    primary: rig.primary.chatRequests() - start.primary,
    backup: rig.backup.chatRequests() - start.backup,
    anthropic: rig.anthropic.requests.length - start.anthropic,
  });
}

interface StreamResult {
  chunks: OpenAI.ChatCompletionChunk[];
  text: string;
  error: unknown;
  response: Response;
}

async function streamed(client: OpenAI, body: Omit<OpenAI.ChatCompletionCreateParamsStreaming, 'stream'>, headers: Record<string, string> = {}): Promise<StreamResult> {
  const { data: stream, response } = await client.chat.completions.create({ ...body, stream: true }, { headers }).withResponse();
  const chunks: OpenAI.ChatCompletionChunk[] = [];
  const error = await (async () => {
    for await (const chunk of stream) chunks.push(chunk);
  })().then(
    () => undefined,
    (e: unknown) => e,
  );
  return { chunks, text: chunks.map((c) => c.choices[0]?.delta?.content ?? '').join(''), error, response };
}

async function failure(promise: Promise<unknown>): Promise<InstanceType<typeof OpenAI.APIError>> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(OpenAI.APIError);
  return error as InstanceType<typeof OpenAI.APIError>;
}

/** The usage event of the request that answered with this x-request-id. */
async function usageEventOf(rig: Rig, response: Response): Promise<UsageEvent> {
  const requestId = response.headers.get('x-request-id');
  let found: UsageEvent | undefined;
  await expectEventually(() => {
    found = rig.events.find((event) => event.requestId === requestId || event.correlationId === requestId);
    expect(found).toBeDefined();
  }, 5_000);
  return found as UsageEvent;
}

// Limits: headers 2 s, first token 2.5 s, idle gap 2 s, a unary answer 2 s; one retry. Short next
// to the defaults (30 s, 60 s), long enough for a healthy fake on a loaded CI machine.
const SHORT_LIMITS = {
  MAX_RETRIES: '1',
  HEADERS_TIMEOUT_MS: '2000',
  FIRST_TOKEN_TIMEOUT_MS: '2500',
  STREAM_IDLE_TIMEOUT_MS: '2000',
  ATTEMPT_TIMEOUT_MS: '2000',
  RETRY_AFTER_MAX_MS: '2000',
  // The breaker stays out of the way here (the suite below tests it).
  BREAKER_FAILURES: '1000',
  BREAKER_FAILURE_RATE_PERCENT: '0',
};

describe('resilience: failing over within short limits', () => {
  let rig: Rig;

  beforeAll(async () => {
    rig = await startRig(SHORT_LIMITS);
  });
  afterAll(async () => rig?.close());
  beforeEach(async () => resetRouting(rig));

  it('429 with Retry-After within RETRY_AFTER_MAX_MS: waits, retries the same provider, serves', async () => {
    const count = counter(rig);
    rig.primary.enqueue({ kind: 'status', status: 429, headers: { 'retry-after-ms': '200' } });
    const started = Date.now();
    const { data, response } = await rig.client.chat.completions.create({ model: 'gpt-4o', messages: ASK }).withResponse();
    const elapsed = Date.now() - started;
    expect(data.choices[0].message.content).toBe(ANSWER);
    expect(response.headers.get('x-gateway-provider')).toBe('openai');
    expect(response.headers.get('x-gateway-attempts')).toBe('2');
    expect(count()).toEqual({ primary: 2, backup: 0, anthropic: 0 });
    expect(elapsed).toBeGreaterThanOrEqual(200);
    expect(elapsed).toBeLessThan(6_000);
  });

  it('429 without Retry-After: moves on at once, cools the key, and a pinned request meanwhile gets 429 without calling it', async () => {
    const count = counter(rig);
    rig.primary.enqueue({ kind: 'status', status: 429 });
    const started = Date.now();
    const { response } = await rig.client.chat.completions.create({ model: 'gpt-4o', messages: ASK }).withResponse();
    expect(response.headers.get('x-gateway-provider')).toBe('backup');
    expect(response.headers.get('x-gateway-attempts')).toBe('2');
    expect(count()).toEqual({ primary: 1, backup: 1, anthropic: 0 });
    const limited = await failure(rig.client.chat.completions.create({ model: 'openai/gpt-4o', messages: ASK }));
    expect(limited.status).toBe(429);
    expect(Number(limited.headers?.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(count().primary).toBe(1);
    expect(Date.now() - started).toBeLessThan(6_000);
    // The cool-down is short (1 s without Retry-After): the key serves again after it.
    await expectEventually(async () => {
      const again = await rig.client.chat.completions.create({ model: 'openai/gpt-4o', messages: ASK }).withResponse();
      expect(again.response.headers.get('x-gateway-provider')).toBe('openai');
    }, 5_000, 200);
  });

  it('500 once: one retry on the same provider serves', async () => {
    const count = counter(rig);
    rig.primary.enqueue({ kind: 'status', status: 500 });
    const started = Date.now();
    const { response } = await rig.client.chat.completions.create({ model: 'gpt-4o', messages: ASK }).withResponse();
    expect(response.headers.get('x-gateway-provider')).toBe('openai');
    expect(response.headers.get('x-gateway-attempts')).toBe('2');
    expect(count()).toEqual({ primary: 2, backup: 0, anthropic: 0 });
    expect(Date.now() - started).toBeLessThan(6_000);
  });

  it('503 persistent: the retry, then the next provider, for every request', async () => {
    rig.primary.setPersistent({ kind: 'status', status: 503 });
    const count = counter(rig);
    const started = Date.now();
    for (let i = 0; i < 3; i++) {
      const { response } = await rig.client.chat.completions.create({ model: 'gpt-4o', messages: ASK }).withResponse();
      expect(response.headers.get('x-gateway-provider')).toBe('backup');
      expect(response.headers.get('x-gateway-attempts')).toBe('3');
    }
    expect(count()).toEqual({ primary: 6, backup: 3, anthropic: 0 });
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('every provider failing: one status (502) for stream and non-stream, naming the last cause, and the usage event records it', async () => {
    rig.primary.setPersistent({ kind: 'status', status: 503 });
    rig.backup.setPersistent({ kind: 'status', status: 500 });
    const count = counter(rig);
    const unary = await failure(rig.client.chat.completions.create({ model: 'gpt-4o', messages: ASK }));
    const stream = await failure(rig.client.chat.completions.create({ model: 'gpt-4o', messages: ASK, stream: true }));
    for (const error of [unary, stream]) {
      expect(error.status).toBe(502);
      expect(error.message).toContain('Last: backup: HTTP 500');
      expect(error.headers?.get('x-gateway-attempts')).toBe('4');
    }
    expect(count()).toEqual({ primary: 4, backup: 4, anthropic: 0 });
    const event = await usageEventOf(rig, { headers: unary.headers } as unknown as Response);
    expect(event.httpStatus).toBe(502);
    expect(event.outcome).toBe('error');
  });

  it('a reset before headers: retried once, then the next provider', async () => {
    const count = counter(rig);
    rig.primary.enqueue({ kind: 'cut_before_first_byte' }, { kind: 'cut_before_first_byte' });
    const started = Date.now();
    const { response } = await rig.client.chat.completions.create({ model: 'gpt-4o', messages: ASK }).withResponse();
    expect(response.headers.get('x-gateway-provider')).toBe('backup');
    expect(response.headers.get('x-gateway-attempts')).toBe('3');
    expect(count()).toEqual({ primary: 2, backup: 1, anthropic: 0 });
    expect(Date.now() - started).toBeLessThan(6_000);
  });

  it('no response at all (non-stream): given up after the 2 s answer limit, never retried there', async () => {
    const count = counter(rig);
    rig.primary.enqueue({ kind: 'hang' });
    const started = Date.now();
    const { response } = await rig.client.chat.completions.create({ model: 'gpt-4o', messages: ASK }).withResponse();
    expect(response.headers.get('x-gateway-provider')).toBe('backup');
    expect(response.headers.get('x-gateway-attempts')).toBe('2');
    expect(count()).toEqual({ primary: 1, backup: 1, anthropic: 0 });
    expect(Date.now() - started).toBeLessThan(8_000);
  });

  it('no headers at all (stream): given up after the 2 s headers limit; two silent providers answer 504 within seconds, not minutes', async () => {
    const count = counter(rig);
    rig.primary.enqueue({ kind: 'hang' });
    const started = Date.now();
    const served = await streamed(rig.client, { model: 'gpt-4o', messages: ASK });
    expect(served.text).toBe(ANSWER);
    expect(served.error).toBeUndefined();
    expect(served.response.headers.get('x-gateway-provider')).toBe('backup');
    expect(served.response.headers.get('x-gateway-attempts')).toBe('2');
    expect(count()).toEqual({ primary: 1, backup: 1, anthropic: 0 });
    expect(Date.now() - started).toBeLessThan(8_000);

    rig.primary.setPersistent({ kind: 'hang' });
    rig.backup.setPersistent({ kind: 'hang' });
    const both = counter(rig);
    const startedBoth = Date.now();
    const error = await failure(rig.client.chat.completions.create({ model: 'gpt-4o', messages: ASK, stream: true }));
    expect(error.status).toBe(504);
    expect(error.message).toContain('no response headers within 2000 ms');
    expect(both()).toEqual({ primary: 1, backup: 1, anthropic: 0 });
    // Two limits of 2 s, not six attempts of 60 s.
    expect(Date.now() - startedBoth).toBeLessThan(12_000);
  });

  it('a slow first token: the next provider serves, and nothing of the slow one (not even its role chunk) reaches the client', async () => {
    const count = counter(rig);
    rig.primary.enqueue({ kind: 'slow_first_token', delayMs: 8_000 });
    const started = Date.now();
    const served = await streamed(rig.client, { model: 'gpt-4o', messages: ASK });
    expect(served.error).toBeUndefined();
    expect(served.text).toBe(ANSWER);
    expect(served.chunks.filter((c) => c.choices[0]?.delta?.role === 'assistant')).toHaveLength(1);
    expect(served.response.headers.get('x-gateway-provider')).toBe('backup');
    expect(served.response.headers.get('x-gateway-attempts')).toBe('2');
    expect(count()).toEqual({ primary: 1, backup: 1, anthropic: 0 });
    // The 2.5 s first-token limit, then the backup: well before the slow token (8 s).
    expect(Date.now() - started).toBeLessThan(7_000);
  });

  it('a stream cut mid-answer: an in-band error naming the cut, no [DONE], no fallback; the usage event records the failure and partial usage', async () => {
    const count = counter(rig);
    // Role chunk, "Hello", " from", then the connection drops.
    rig.primary.enqueue({ kind: 'cut_after_chunks', chunks: 3 });
    const served = await streamed(rig.client, { model: 'gpt-4o', messages: ASK });
    expect(served.text).toBe('Hello from');
    expect(served.error).toBeInstanceOf(OpenAI.APIError);
    expect((served.error as Error).message).toMatch(/^The stream from openai failed after content was sent: .* \(2 chunks delivered\)/);
    expect(served.response.headers.get('x-gateway-attempts')).toBe('1');
    expect(count()).toEqual({ primary: 1, backup: 0, anthropic: 0 });
    const event = await usageEventOf(rig, served.response);
    expect(event.outcome).toBe('error');
    expect(event.httpStatus).toBe(200);
    expect(event.errorType).toBe('stream_interrupted');
    expect(event.hasUsage).toBe(true);
    expect(event.usage?.completionTokens).toBe(2);
    expect(event.usageEstimated).toBe(true);
    expect(event.attempts.map((a) => a.outcome)).not.toContain('success');
  });

  it('a stream that stalls mid-answer: ended after the 2 s idle limit with an in-band error naming it', async () => {
    const count = counter(rig);
    rig.primary.enqueue({ kind: 'stall_after_chunks', chunks: 3 });
    const started = Date.now();
    const served = await streamed(rig.client, { model: 'gpt-4o', messages: ASK });
    expect(served.text).toBe('Hello from');
    expect(served.error).toBeInstanceOf(OpenAI.APIError);
    expect((served.error as Error).message).toContain('stream idle for 2000 ms after 2 chunks');
    expect(count()).toEqual({ primary: 1, backup: 0, anthropic: 0 });
    expect(Date.now() - started).toBeLessThan(8_000);
    await expectEventually(() => expect(rig.primary.openConnections()).toBe(0), 2_000);
  });

  it('x-gateway-timeout-ms bounds a stream that already started', async () => {
    rig.primary.enqueue({ kind: 'stall_after_chunks', chunks: 3 });
    await ok(rig.stack.admin('PUT', '/admin/v1/routing/priority', { order: ['openai', 'backup', 'anthropic'] }));
    const started = Date.now();
    // 1.5 s: shorter than the 2 s idle limit, so the deadline is what ends the stalled stream.
    const served = await streamed(rig.client, { model: 'gpt-4o', messages: ASK }, { 'x-gateway-timeout-ms': '1500' });
    expect(served.text).toBe('Hello from');
    expect((served.error as Error).message).toContain('request deadline passed after 2 chunks');
    expect(Date.now() - started).toBeLessThan(6_000);
  });

  it('a stream that ends after finish_reason without [DONE] is complete: the whole answer, no error', async () => {
    const count = counter(rig);
    rig.primary.enqueue({ kind: 'no_done' });
    const served = await streamed(rig.client, { model: 'gpt-4o', messages: ASK, stream_options: { include_usage: true } });
    expect(served.error).toBeUndefined();
    expect(served.text).toBe(ANSWER);
    expect(served.chunks.some((c) => c.choices[0]?.finish_reason === 'stop')).toBe(true);
    expect(count()).toEqual({ primary: 1, backup: 0, anthropic: 0 });
    const event = await usageEventOf(rig, served.response);
    expect(event.outcome).toBe('success');
  });

  it('context_length_exceeded: skips the other providers of the model and serves the fallback model; an operator can send it back instead', async () => {
    await ok(rig.stack.admin('PUT', '/admin/v1/routing/fallbacks', { fallbacks: { 'gpt-4o': ['claude-3-5-sonnet'] } }));
    const tooLong = {
      kind: 'status' as const,
      status: 400,
      body: { error: { message: "This model's maximum context length is 128000 tokens.", type: 'invalid_request_error', param: 'messages', code: 'context_length_exceeded' } },
    };
    const count = counter(rig);
    rig.primary.enqueue(tooLong);
    const { response } = await rig.client.chat.completions.create({ model: 'gpt-4o', messages: ASK }).withResponse();
    expect(response.headers.get('x-gateway-provider')).toBe('anthropic');
    expect(response.headers.get('x-gateway-attempts')).toBe('2');
    expect(count()).toEqual({ primary: 1, backup: 0, anthropic: 1 });

    const defaults = (await ok(rig.stack.admin('GET', '/admin/v1/routing/error-actions'))) as { errorActions: Record<string, string> };
    expect(defaults.errorActions).toMatchObject({ context_length_exceeded: 'fallback', content_filter: 'return' });
    expect((await rig.stack.admin('PUT', '/admin/v1/routing/error-actions', { errorActions: { context_length_exceeded: 'retry' } })).status).toBe(400);
    await ok(rig.stack.admin('PUT', '/admin/v1/routing/error-actions', { errorActions: { context_length_exceeded: 'return' } }));
    try {
      const back = counter(rig);
      await expectEventually(async () => {
        rig.primary.enqueue(tooLong);
        const error = await failure(rig.client.chat.completions.create({ model: 'gpt-4o', messages: ASK }));
        expect(error.status).toBe(400);
        expect(error.code).toBe('context_length_exceeded');
      }, 5_000);
      expect(back().anthropic).toBe(0);
    } finally {
      await ok(rig.stack.admin('PUT', '/admin/v1/routing/error-actions', { errorActions: {} }));
    }
  });

  it('a content-filter refusal goes back to the client unchanged; nobody else is tried', async () => {
    await ok(rig.stack.admin('PUT', '/admin/v1/routing/fallbacks', { fallbacks: { 'gpt-4o': ['claude-3-5-sonnet'] } }));
    const message = 'The response was filtered due to the prompt triggering content management policy.';
    const count = counter(rig);
    rig.primary.enqueue({ kind: 'status', status: 400, body: { error: { message, type: 'invalid_request_error', param: 'prompt', code: 'content_filter' } } });
    const error = await failure(rig.client.chat.completions.create({ model: 'gpt-4o', messages: ASK }));
    expect(error.status).toBe(400);
    expect(error.code).toBe('content_filter');
    expect(error.message).toContain(message);
    expect(count()).toEqual({ primary: 1, backup: 0, anthropic: 0 });
  });
});

describe('resilience: a breaker that never outlives the outage', () => {
  let rig: Rig;
  // Two failures open a circuit for a minute: only panic routing and the taxonomy can keep a provider in service.
  const env = { ...SHORT_LIMITS, MAX_RETRIES: '0', BREAKER_FAILURES: '2', BREAKER_FAILURE_RATE_PERCENT: '50', BREAKER_COOLDOWN_MS: '60000' };
  const circuit = (provider: string): Promise<number> =>
    metricSum(rig.stack.metricsUrl('router-0'), 'gen_ai_gateway_circuit_breaker_state', { gen_ai_gateway_provider_id: provider, gen_ai_request_model: 'gpt-4o' });

  beforeAll(async () => {
    rig = await startRig(env);
  });
  afterAll(async () => rig?.close());
  beforeEach(async () => resetRouting(rig));

  it('rate limits (429) never open the circuit', async () => {
    for (let i = 0; i < 4; i++) {
      rig.primary.enqueue({ kind: 'status', status: 429, headers: { 'retry-after-ms': '10' } });
      const { response } = await rig.client.chat.completions.create({ model: 'gpt-4o', messages: ASK }).withResponse();
      expect(response.headers.get('x-gateway-provider')).toBe('backup');
    }
    expect(await circuit('openai')).toBe(CIRCUIT_STATE_VALUE.closed);
    await expectEventually(async () => {
      const { response } = await rig.client.chat.completions.create({ model: 'gpt-4o', messages: ASK }).withResponse();
      expect(response.headers.get('x-gateway-provider')).toBe('openai');
    }, 3_000, 100);
  });

  it('a pinned model flaps down and up: probed on the next request (panic routing), served as soon as it is back', async () => {
    rig.primary.setPersistent({ kind: 'status', status: 503 });
    for (let i = 0; i < 2; i++) expect((await failure(rig.client.chat.completions.create({ model: 'openai/gpt-4o', messages: ASK }))).status).toBe(502);
    expect(await circuit('openai')).toBe(CIRCUIT_STATE_VALUE.open);
    // Still down: the open circuit does not refuse — the one candidate is probed, and the cause is the provider's.
    const count = counter(rig);
    const stillDown = await failure(rig.client.chat.completions.create({ model: 'openai/gpt-4o', messages: ASK }));
    expect(stillDown.status).toBe(502);
    expect(stillDown.message).toContain('HTTP 503');
    expect(count().primary).toBe(1);
    // Back: the very next request is served, long before the 60 s cooldown.
    rig.primary.setPersistent(undefined);
    const started = Date.now();
    const { response } = await rig.client.chat.completions.create({ model: 'openai/gpt-4o', messages: ASK }).withResponse();
    expect(response.headers.get('x-gateway-provider')).toBe('openai');
    expect(response.headers.get('x-gateway-attempts')).toBe('1');
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(await circuit('openai')).toBe(CIRCUIT_STATE_VALUE.closed);
  });

  it('six cancelled streams do not open a healthy provider’s circuit (the first-token timer stops when the client leaves)', async () => {
    for (let i = 0; i < 6; i++) {
      rig.primary.enqueue({ kind: 'slow_first_token', delayMs: 4_000 });
      const before = rig.primary.chatRequests();
      const abort = new AbortController();
      const pending = rig.client.chat.completions.create({ model: 'openai/gpt-4o', messages: ASK, stream: true }, { signal: abort.signal }).catch((e: unknown) => e);
      await expectEventually(() => expect(rig.primary.chatRequests()).toBe(before + 1), 2_000, 10);
      abort.abort();
      expect(await pending).toBeInstanceOf(OpenAI.APIUserAbortError);
    }
    // Past the 2.5 s first-token limit of every cancelled attempt: a timer still running would have counted by now.
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    expect(await circuit('openai')).toBe(CIRCUIT_STATE_VALUE.closed);
    const count = counter(rig);
    const { response } = await rig.client.chat.completions.create({ model: 'gpt-4o', messages: ASK }).withResponse();
    expect(response.headers.get('x-gateway-provider')).toBe('openai');
    expect(response.headers.get('x-gateway-attempts')).toBe('1');
    expect(count()).toEqual({ primary: 1, backup: 0, anthropic: 0 });
  });

  it('an adapter service restart does not open the provider’s circuit: 503 (ours) while it is down, served as soon as it is back', async () => {
    const port = rig.stack.apps['adapter-openai'].ports.grpc;
    const count = counter(rig);
    await rig.stack.stopApp('adapter-openai');
    try {
      for (let i = 0; i < 3; i++) {
        const unary = await failure(rig.client.chat.completions.create({ model: 'openai/gpt-4o', messages: ASK }));
        expect(unary.status).toBe(503);
        expect(unary.code).toBe('gateway_unavailable');
        const stream = await failure(rig.client.chat.completions.create({ model: 'openai/gpt-4o', messages: ASK, stream: true }));
        expect(stream.status).toBe(503);
      }
      expect(count().primary).toBe(0);
    } finally {
      await rig.stack.startApp('adapter-openai', { GRPC_PORT: String(port) });
    }
    expect(await circuit('openai')).toBe(CIRCUIT_STATE_VALUE.closed);
    const started = Date.now();
    await expectEventually(async () => {
      const { response } = await rig.client.chat.completions.create({ model: 'openai/gpt-4o', messages: ASK }).withResponse();
      expect(response.headers.get('x-gateway-provider')).toBe('openai');
    }, 10_000, 200);
    // grpc-js reconnects with its own backoff (1 s, 1.6 s, ...): seconds, not the 60 s cooldown.
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(await circuit('openai')).toBe(CIRCUIT_STATE_VALUE.closed);
  });
});
