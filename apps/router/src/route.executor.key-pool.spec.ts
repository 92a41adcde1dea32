import { DEFAULT_FIRST_TOKEN_LIMITS, ProviderModelCatalog } from '@ai-gateway/model-catalog';
import { Fault, type AdapterResponse, type Provider, type RequestMeta, type ResolvedKey } from '@ai-gateway/proto';
import { CircuitBreaker, circuitKey, DEFAULT_ERROR_ACTIONS, KeyHealth, type HedgePolicy } from '@ai-gateway/routing';
import { decodeGrpcError, gatewayGrpcError, GrpcStatus } from '@ai-gateway/service-kit';
import { ROOT_CONTEXT } from '@opentelemetry/api';
import type { AdapterDirectory } from './adapter.directory';
import type { ConfigSnapshotWatcher } from './config-snapshot.watcher';
import type { ProviderKeysCache } from './provider-keys.cache';
import { RouteExecutor, RouteFailure, type RouteRecord } from './route.executor';

/** One provider (openai) holding two keys; what each call sent and with which key. */
type Answer = (signal: AbortSignal) => Promise<AdapterResponse>;

const PROVIDERS: Provider[] = [{ id: 'openai', kind: 'openai', baseUrl: 'https://api.openai.com/v1', enabled: true, priority: 0, models: [] }];
const KEYS: ResolvedKey[] = [
  { id: 'k1', provider: 'openai', secret: 'sk-test-one', version: 1 } as ResolvedKey,
  { id: 'k2', provider: 'openai', secret: 'sk-test-two', version: 1 } as ResolvedKey,
];
const OK: Answer = async () => ({ body: Buffer.from('{}'), usage: undefined, hasUsage: false, responseModel: 'gpt-4o', headers: [] });
const OK_AFTER = (ms: number): Answer => () => new Promise((resolve) => setTimeout(() => resolve({ body: Buffer.from('{}'), usage: undefined, hasUsage: false, responseModel: 'gpt-4o', headers: [] }), ms));
/** No answer until the attempt is aborted. */
const SILENT: Answer = (signal) => new Promise((_, reject) => signal.addEventListener('abort', () => reject(gatewayGrpcError(GrpcStatus.CANCELLED, 'aborted', { fault: Fault.FAULT_CLIENT_CANCELLED }))));
const RATE_LIMITED: Answer = () =>
  Promise.reject(gatewayGrpcError(GrpcStatus.RESOURCE_EXHAUSTED, 'rate limited', { provider: 'openai', upstreamHttpStatus: 429, retryAfterMs: 30_000, fault: Fault.FAULT_PROVIDER_HTTP }));
const UNAUTHORIZED: Answer = () =>
  Promise.reject(gatewayGrpcError(GrpcStatus.UNAUTHENTICATED, 'invalid key', { provider: 'openai', upstreamHttpStatus: 401, fault: Fault.FAULT_PROVIDER_HTTP }));

function executor(answers: Answer[], hedge?: HedgePolicy) {
  const calls: Array<{ key: string; signal: AbortSignal }> = [];
  const view = { snapshot: { revision: 1, providers: PROVIDERS, fallbacks: {}, apiKeys: [], errorActions: {} }, catalog: ProviderModelCatalog.fromSnapshot({ providers: PROVIDERS }), fallbacks: {}, errorActions: DEFAULT_ERROR_ACTIONS };
  const config = { current: () => view, onChange: () => undefined } as unknown as ConfigSnapshotWatcher;
  let turn = -1;
  const keys = {
    providersWithKeys: () => new Set(['openai']),
    roundRobin: () => ({ keys: KEYS, start: (turn = (turn + 1) % KEYS.length) }),
    all: () => KEYS,
    onChange: () => undefined,
  } as unknown as ProviderKeysCache;
  const adapter = {
    chat: (request: { target: { apiKey: string } }, call: { signal: AbortSignal }) => {
      calls.push({ key: request.target.apiKey, signal: call.signal });
      return (answers.shift() ?? OK)(call.signal);
    },
  };
  const adapters = { forKind: () => adapter } as unknown as AdapterDirectory;
  const breaker = new CircuitBreaker({ consecutiveFailures: 1, cooldownMs: 60_000 });
  const health = new KeyHealth();
  const run = new RouteExecutor(config, keys, adapters, breaker, health, {
    requestTimeoutMs: 60_000,
    unaryTimeoutMs: 10_000,
    headersTimeoutMs: 10_000,
    idleTimeoutMs: 10_000,
    firstToken: DEFAULT_FIRST_TOKEN_LIMITS,
    maxRetries: 0,
    retryBaseMs: 1,
    retryAfterMaxMs: 1_000,
    allOpen: 'probe',
    hedgeFor: () => hedge,
  });
  return { run, calls, breaker, health };
}

const meta = { requestId: 'r1', apiKeyId: 'k', model: 'gpt-4o', stream: false, includeUsage: false, deadlineMs: 0, correlationId: '' } as RequestMeta;

function chat(run: RouteExecutor, record: RouteRecord): Promise<AdapterResponse> {
  return run.unary('chat', meta, Buffer.from('{}'), [], new AbortController().signal, record, ROOT_CONTEXT);
}

describe('RouteExecutor with a key pool', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('hedges on the other key of the only provider; the loser is aborted and charges neither its circuit nor its key', async () => {
    const { run, calls, breaker, health } = executor([SILENT, OK], { afterMs: 100, maxShare: 1 });
    const record: RouteRecord = { attempts: [] };
    const answered = chat(run, record);
    await jest.advanceTimersByTimeAsync(100);
    await answered;
    expect(calls.map((c) => c.key)).toEqual(['sk-test-one', 'sk-test-two']);
    expect(calls[0].signal.aborted).toBe(true);
    expect(record.hedged).toBe(true);
    expect(record.attempts.map((a) => [a.outcome, a.hedge])).toEqual([
      ['hedge_lost', true],
      ['success', true],
    ]);
    expect(breaker.state(circuitKey('openai', 'gpt-4o'))).toBe('closed');
    expect(KEYS.map((key) => health.stateOf(key).status)).toEqual(['ok', 'ok']);
  });

  it('starts no hedge before afterMs, and none when the first leg answers in time', async () => {
    const { run, calls } = executor([OK], { afterMs: 100, maxShare: 1 });
    const record: RouteRecord = { attempts: [] };
    await chat(run, record);
    await jest.advanceTimersByTimeAsync(1_000);
    expect(calls).toHaveLength(1);
    expect(record.hedged).toBeUndefined();
  });

  it('a 429 cools its key alone and the request moves at once to the other key, with no wait and no circuit effect', async () => {
    const { run, calls, breaker, health } = executor([RATE_LIMITED, OK]);
    const record: RouteRecord = { attempts: [] };
    await chat(run, record);
    expect(calls.map((c) => c.key)).toEqual(['sk-test-one', 'sk-test-two']);
    expect(record.attempts.map((a) => a.outcome)).toEqual(['rate_limited', 'success']);
    expect(health.stateOf(KEYS[0]).status).toBe('cooling');
    expect(health.stateOf(KEYS[1]).status).toBe('ok');
    expect(breaker.state(circuitKey('openai', 'gpt-4o'))).toBe('closed');
    // While k1 cools, every request goes to k2.
    for (let i = 0; i < 3; i++) await chat(run, { attempts: [] });
    expect(calls.slice(2).map((c) => c.key)).toEqual(['sk-test-two', 'sk-test-two', 'sk-test-two']);
  });

  it('while the only working key cools, the failing key is not re-sent: 429 with the cooling wait as Retry-After', async () => {
    const { run, calls, health } = executor([UNAUTHORIZED, RATE_LIMITED]);
    await chat(run, { attempts: [] }).catch(() => undefined);
    expect(KEYS.map((key) => health.stateOf(key).status)).toEqual(['failing', 'cooling']);
    calls.length = 0;
    for (let i = 0; i < 3; i++) {
      const failure = await chat(run, { attempts: [] }).then(
        () => undefined,
        (error: unknown) => error,
      );
      expect(failure).toBeInstanceOf(RouteFailure);
      const decoded = decodeGrpcError((failure as RouteFailure).grpcError);
      expect(decoded.code).toBe(GrpcStatus.RESOURCE_EXHAUSTED);
      expect(Number(decoded.detail?.retryAfterMs)).toBeGreaterThan(29_000);
    }
    expect(calls).toEqual([]);
  });

  it('records the tokens of a hedge loser whose whole answer lands just after the winner’s (they were billed)', async () => {
    const usage = { promptTokens: 1_000, completionTokens: 500, totalTokens: 1_500, cachedPromptTokens: 0, reasoningTokens: 0 };
    /** Answers after `ms` whatever the signal says: the provider had finished when the cancel came. */
    const billedAfter = (ms: number): Answer => () => new Promise((resolve) => setTimeout(() => resolve({ body: Buffer.from('{}'), usage, hasUsage: true, responseModel: 'gpt-4o', headers: [] }), ms));
    const { run } = executor([billedAfter(300), billedAfter(200)], { afterMs: 100, maxShare: 1 });
    const record: RouteRecord = { attempts: [] };
    const answered = chat(run, record);
    await jest.advanceTimersByTimeAsync(300);
    await answered;
    expect(record.attempts.map((a) => [a.outcome, a.usage])).toEqual([
      ['hedge_lost', usage],
      ['success', undefined],
    ]);
    expect(record.usage).toEqual(usage);
  });

  describe('a half-open probe hedged onto the other key of its provider', () => {
    const KEY = circuitKey('openai', 'gpt-4o');

    it.each([
      ['the probe answers first', [OK_AFTER(300), SILENT]],
      ['the hedge on the other key answers first', [SILENT, OK_AFTER(100)]],
    ])('closes the circuit when %s', async (_, answers) => {
      const { run, breaker } = executor(answers, { afterMs: 100, maxShare: 1 });
      breaker.recordFailure(KEY);
      await jest.advanceTimersByTimeAsync(60_000);
      const record: RouteRecord = { attempts: [] };
      const answered = chat(run, record);
      await jest.advanceTimersByTimeAsync(400);
      await answered;
      expect(record.attempts.map((a) => a.outcome)).toEqual(['hedge_lost', 'success']);
      expect(breaker.state(KEY)).toBe('closed');
    });

    it('keeps its probe when the hedge budget refuses the hedge: no other request probes meanwhile', async () => {
      // maxShare 0.05: a burst of one hedge, spent by the first request.
      const { run, calls, breaker } = executor([SILENT, OK, OK_AFTER(1_000)], { afterMs: 100, maxShare: 0.05 });
      const warmUp = chat(run, { attempts: [] });
      await jest.advanceTimersByTimeAsync(100);
      await warmUp;
      breaker.recordFailure(KEY);
      await jest.advanceTimersByTimeAsync(60_000);
      calls.length = 0;
      const probe = chat(run, { attempts: [] });
      await jest.advanceTimersByTimeAsync(150);
      const other = await chat(run, { attempts: [] }).then(
        () => undefined,
        (error: unknown) => decodeGrpcError((error as RouteFailure).grpcError),
      );
      expect(other?.code).toBe(GrpcStatus.FAILED_PRECONDITION);
      expect(calls).toHaveLength(1);
      await jest.advanceTimersByTimeAsync(1_000);
      await probe;
      expect(breaker.state(KEY)).toBe('closed');
    });
  });
});

