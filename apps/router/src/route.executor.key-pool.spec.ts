import { DEFAULT_FIRST_TOKEN_LIMITS, ProviderModelCatalog } from '@ai-gateway/model-catalog';
import { Fault, type AdapterResponse, type Provider, type RequestMeta, type ResolvedKey } from '@ai-gateway/proto';
import { CircuitBreaker, circuitKey, DEFAULT_ERROR_ACTIONS, KeyHealth, type HedgePolicy } from '@ai-gateway/routing';
import { gatewayGrpcError, GrpcStatus } from '@ai-gateway/service-kit';
import { ROOT_CONTEXT } from '@opentelemetry/api';
import type { AdapterDirectory } from './adapter.directory';
import type { ConfigSnapshotWatcher } from './config-snapshot.watcher';
import type { ProviderKeysCache } from './provider-keys.cache';
import { RouteExecutor, type RouteRecord } from './route.executor';

/** One provider (openai) holding two keys; what each call sent and with which key. */
type Answer = (signal: AbortSignal) => Promise<AdapterResponse>;

const PROVIDERS: Provider[] = [{ id: 'openai', kind: 'openai', baseUrl: 'https://api.openai.com/v1', enabled: true, priority: 0, models: [] }];
const KEYS: ResolvedKey[] = [
  { id: 'k1', provider: 'openai', secret: 'sk-test-one', version: 1 } as ResolvedKey,
  { id: 'k2', provider: 'openai', secret: 'sk-test-two', version: 1 } as ResolvedKey,
];
const OK: Answer = async () => ({ body: Buffer.from('{}'), usage: undefined, hasUsage: false, responseModel: 'gpt-4o', headers: [] });
/** No answer until the attempt is aborted. */
const SILENT: Answer = (signal) => new Promise((_, reject) => signal.addEventListener('abort', () => reject(gatewayGrpcError(GrpcStatus.CANCELLED, 'aborted', { fault: Fault.FAULT_CLIENT_CANCELLED }))));
const RATE_LIMITED: Answer = () =>
  Promise.reject(gatewayGrpcError(GrpcStatus.RESOURCE_EXHAUSTED, 'rate limited', { provider: 'openai', upstreamHttpStatus: 429, retryAfterMs: 30_000, fault: Fault.FAULT_PROVIDER_HTTP }));

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
});
