import { DEFAULT_FIRST_TOKEN_LIMITS, ProviderModelCatalog } from '@ai-gateway/model-catalog';
import { Fault, type AdapterResponse, type Provider, type RequestMeta } from '@ai-gateway/proto';
import { CircuitBreaker, circuitKey, DEFAULT_ERROR_ACTIONS, KeyHealth } from '@ai-gateway/routing';
import { decodeGrpcError, gatewayGrpcError, GrpcStatus } from '@ai-gateway/service-kit';
import { ROOT_CONTEXT } from '@opentelemetry/api';
import type { AdapterStreamSink } from '@ai-gateway/provider-http';
import type { AdapterDirectory } from './adapter.directory';
import type { ConfigSnapshotWatcher } from './config-snapshot.watcher';
import type { ProviderKeysCache } from './provider-keys.cache';
import { RouteExecutor, RouteFailure, type RouteRecord, type RouteSettings } from './route.executor';

type Answer = (signal: AbortSignal) => Promise<AdapterResponse>;
/** One streamed attempt: what the adapter pushes, then how its call ends. */
type StreamAnswer = (sink: AdapterStreamSink) => Promise<void>;

const PROVIDERS: Provider[] = [{ id: 'openai', kind: 'openai', baseUrl: 'https://api.openai.com/v1', enabled: true, priority: 0, models: [] }];
const OK: Answer = async () => ({ body: Buffer.from('{}'), usage: undefined, hasUsage: false, responseModel: 'gpt-4o', headers: [] });
const HTTP_503: Answer = () =>
  Promise.reject(gatewayGrpcError(GrpcStatus.UNAVAILABLE, 'overloaded', { provider: 'openai', upstreamHttpStatus: 503, fault: Fault.FAULT_PROVIDER_HTTP }));
/** What grpc-js reports when our adapter service is not there: no GatewayError at all. */
const ADAPTER_DOWN: Answer = () => Promise.reject(Object.assign(new Error('14 UNAVAILABLE: No connection established'), { code: GrpcStatus.UNAVAILABLE, details: 'No connection established' }));
/** What grpc-js reports when our adapter service's drain ended the call (its sessions destroyed): CANCELLED, no GatewayError. */
const cutByAdapterService = (): Error => Object.assign(new Error('1 CANCELLED: Call cancelled'), { code: GrpcStatus.CANCELLED, details: 'Call cancelled' });
const chunk = (json: object): Uint8Array => Buffer.from(JSON.stringify(json));
const CONTENT = chunk({ choices: [{ index: 0, delta: { content: 'hi' }, finish_reason: null }] });
const FINISH = chunk({ choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] });

function executor(settings: Partial<RouteSettings>, answers: Answer[], breaker = new CircuitBreaker({ consecutiveFailures: 1, cooldownMs: 60_000 }), streams: StreamAnswer[] = []) {
  const calls: Array<{ model: string; timeoutMs: number; headersTimeoutMs?: number }> = [];
  const view = { snapshot: { revision: 1, providers: PROVIDERS, fallbacks: {}, apiKeys: [], errorActions: {} }, catalog: ProviderModelCatalog.fromSnapshot({ providers: PROVIDERS }), fallbacks: {}, errorActions: DEFAULT_ERROR_ACTIONS };
  const config = { current: () => view, onChange: () => undefined } as unknown as ConfigSnapshotWatcher;
  const keys = {
    providersWithKeys: () => new Set(['openai']),
    roundRobin: (provider: string) => ({ keys: [{ id: 'k1', provider, secret: 'sk-test', version: 1 }], start: 0 }),
    all: () => [],
    onChange: () => undefined,
  } as unknown as ProviderKeysCache;
  const adapter = {
    chat: (request: { target: { model: string }; timeoutMs: number; headersTimeoutMs?: number }, call: { signal: AbortSignal }) => {
      calls.push({ model: request.target.model, timeoutMs: Number(request.timeoutMs), headersTimeoutMs: request.headersTimeoutMs });
      return (answers.shift() ?? OK)(call.signal);
    },
    chatStream: (request: { target: { model: string }; timeoutMs: number }, sink: AdapterStreamSink) => {
      calls.push({ model: request.target.model, timeoutMs: Number(request.timeoutMs) });
      const answer = streams.shift();
      if (!answer) return Promise.reject(new Error('no streamed answer left'));
      return answer(sink);
    },
  };
  const adapters = { forKind: () => adapter } as unknown as AdapterDirectory;
  const full: RouteSettings = {
    requestTimeoutMs: 60_000,
    unaryTimeoutMs: 1_000,
    headersTimeoutMs: 500,
    idleTimeoutMs: 500,
    firstToken: DEFAULT_FIRST_TOKEN_LIMITS,
    maxRetries: 0,
    retryBaseMs: 1,
    retryAfterMaxMs: 1_000,
    allOpen: 'probe',
    ...settings,
  };
  return { run: new RouteExecutor(config, keys, adapters, breaker, new KeyHealth(), full), calls, breaker };
}

const meta = (model: string): RequestMeta => ({ requestId: 'r1', apiKeyId: 'k', model, stream: false, includeUsage: false, deadlineMs: 0, correlationId: '' }) as RequestMeta;

async function chat(run: RouteExecutor, model = 'gpt-4o'): Promise<{ record: RouteRecord; error?: ReturnType<typeof decodeGrpcError> }> {
  const record: RouteRecord = { attempts: [] };
  try {
    await run.unary('chat', meta(model), Buffer.from('{}'), [], new AbortController().signal, record, ROOT_CONTEXT);
    return { record };
  } catch (error) {
    expect(error).toBeInstanceOf(RouteFailure);
    return { record, error: decodeGrpcError((error as RouteFailure).grpcError) };
  }
}

/** The routed stream's chunks and how it ended. */
async function streamChat(run: RouteExecutor): Promise<{ record: RouteRecord; chunks: string[]; error?: ReturnType<typeof decodeGrpcError> }> {
  const record: RouteRecord = { attempts: [] };
  const chunks: string[] = [];
  const failure = await new Promise<unknown>((resolve) => {
    run.stream({ ...meta('gpt-4o'), stream: true }, Buffer.from('{}'), [], record, ROOT_CONTEXT).subscribe({
      next: (event) => (event.chunk ? void chunks.push(Buffer.from(event.chunk).toString()) : undefined),
      error: resolve,
      complete: () => resolve(undefined),
    });
  });
  if (failure === undefined) return { record, chunks };
  expect(failure).toBeInstanceOf(RouteFailure);
  return { record, chunks, error: decodeGrpcError((failure as RouteFailure).grpcError) };
}

describe('RouteExecutor', () => {
  const KEY = circuitKey('openai', 'gpt-4o');

  describe('a stream whose adapter service call was ended by the service (its drain), not by our caller', () => {
    it('before any content: retried on the adapter service, and the stream is served whole', async () => {
      const { run, calls } = executor({ maxRetries: 0, adapterUnavailableWaitMs: 2_000 }, [], undefined, [
        async (sink) => {
          sink.push({ start: { headers: [] } } as never);
          throw cutByAdapterService();
        },
        async (sink) => {
          sink.push({ chunk: CONTENT } as never);
          sink.push({ chunk: FINISH } as never);
        },
      ]);
      const { record, chunks, error } = await streamChat(run);
      expect(error).toBeUndefined();
      expect(chunks).toEqual([Buffer.from(CONTENT).toString(), Buffer.from(FINISH).toString()]);
      expect(record.attempts.map((a) => [a.outcome, a.fault])).toEqual([
        ['gateway_error', Fault.FAULT_GATEWAY_INTERNAL],
        ['success', undefined],
      ]);
      expect(calls).toHaveLength(2);
    });

    it('after content: an in-band stream_interrupted of our adapter service, never a client cancellation', async () => {
      const { run } = executor({ maxRetries: 2 }, [], undefined, [
        async (sink) => {
          sink.push({ chunk: CONTENT } as never);
          throw cutByAdapterService();
        },
      ]);
      const { record, chunks, error } = await streamChat(run);
      expect(chunks).toEqual([Buffer.from(CONTENT).toString()]);
      expect(error?.code).toBe(GrpcStatus.UNAVAILABLE);
      expect(error?.detail?.openaiErrorCode).toBe('stream_interrupted');
      expect(error?.detail?.fault).toBe(Fault.FAULT_GATEWAY_INTERNAL);
      expect(record.deliveredFailure).toBe('gateway_internal');
    });
  });

  it('a stream the adapter reports cut after one of its choices finished (n > 1) ends with an in-band error, not as a whole answer', async () => {
    const twoChoices = (delta: object, finish: string | null, index: number) => chunk({ choices: [{ index, delta, finish_reason: finish }] });
    const { run, breaker } = executor({}, [], undefined, [
      async (sink) => {
        sink.push({ chunk: twoChoices({ content: 'one' }, null, 0) } as never);
        sink.push({ chunk: twoChoices({ content: 'two' }, null, 1) } as never);
        sink.push({ chunk: twoChoices({}, 'stop', 0) } as never);
        throw gatewayGrpcError(GrpcStatus.UNAVAILABLE, 'openai: stream cut after 3 chunks (the body ended before a finish reason)', { provider: 'openai', fault: Fault.FAULT_PROVIDER_STREAM_CUT });
      },
    ]);
    const { record, chunks, error } = await streamChat(run);
    expect(chunks).toHaveLength(3);
    expect(error?.detail?.openaiErrorCode).toBe('stream_interrupted');
    expect(record.deliveredFailure).toBe('provider_stream_cut');
    expect(record.attempts.map((a) => a.outcome)).not.toContain('success');
    expect(breaker.state(KEY)).toBe('open');
  });

  describe('a stream the client leaves after content is charged what it was sent', () => {
    /** Streams `chunks` content chunks (after `before`), then waits; the caller unsubscribes as the hot path does when its client leaves. */
    const leaveAfter = async (chunks: number, before: object[] = []): Promise<RouteRecord> => {
      const { run } = executor({}, [], undefined, [
        async (sink) => {
          for (const event of before) sink.push(event as never);
          for (let i = 0; i < chunks; i++) sink.push({ chunk: CONTENT } as never);
          await new Promise(() => undefined);
        },
      ]);
      const record: RouteRecord = { attempts: [] };
      let received = 0;
      const body = Buffer.from(JSON.stringify({ model: 'gpt-4o', messages: [{ role: 'user', content: 'x'.repeat(400) }] }));
      const subscription = run.stream({ ...meta('gpt-4o'), stream: true }, body, [], record, ROOT_CONTEXT).subscribe({ next: (event) => (event.chunk ? received++ : undefined) });
      await new Promise<void>((resolve) => {
        const wait = (): void => void (received >= chunks ? resolve() : setTimeout(wait, 1));
        wait();
      });
      subscription.unsubscribe();
      // The hot path reports the request right after unsubscribing: the count must be there already.
      return record;
    };

    it('estimates a token per chunk and the prompt from its bytes when the provider has counted nothing yet', async () => {
      const record = await leaveAfter(40);
      expect(record.usage).toMatchObject({ completionTokens: 40 });
      expect(record.usage?.promptTokens).toBeGreaterThan(50);
      expect(record.usageEstimated).toBe(true);
    });

    it("keeps the provider's prompt count and raises its partial output count to what was sent (Anthropic's message_start)", async () => {
      const record = await leaveAfter(25, [{ usage: { promptTokens: 1234, completionTokens: 1, totalTokens: 1235, cachedPromptTokens: 1000, reasoningTokens: 0 } }]);
      expect(record.usage).toMatchObject({ promptTokens: 1234, completionTokens: 25, totalTokens: 1259, cachedPromptTokens: 1000 });
      expect(record.usageEstimated).toBe(true);
    });

    it("leaves the provider's own count alone when it already covers what was sent", async () => {
      const record = await leaveAfter(3, [{ usage: { promptTokens: 10, completionTokens: 7, totalTokens: 17, cachedPromptTokens: 0, reasoningTokens: 0 } }]);
      expect(record.usage).toMatchObject({ promptTokens: 10, completionTokens: 7 });
      expect(record.usageEstimated).toBeUndefined();
    });
  });

  it('probes the only candidate when its circuit is open (panic routing) and closes it on success', async () => {
    const { run, calls, breaker } = executor({}, [HTTP_503, OK]);
    expect((await chat(run)).error?.code).toBe(GrpcStatus.UNAVAILABLE);
    expect(breaker.state(KEY)).toBe('open');
    const { record, error } = await chat(run);
    expect(error).toBeUndefined();
    expect(record.attempts.map((a) => a.outcome)).toEqual(['success']);
    expect(calls).toHaveLength(2);
    expect(breaker.state(KEY)).toBe('closed');
  });

  it('fail-fast refuses with 503 (FAILED_PRECONDITION) without calling the provider', async () => {
    const { run, calls } = executor({ allOpen: 'fail-fast' }, [HTTP_503]);
    await chat(run);
    const { error } = await chat(run);
    expect(error?.code).toBe(GrpcStatus.FAILED_PRECONDITION);
    expect(error?.detail?.openaiErrorCode).toBe('no_provider_available');
    expect(error?.message).toContain('circuit open: openai/gpt-4o');
    expect(Number(error?.detail?.retryAfterMs)).toBeGreaterThan(59_000);
    expect(calls).toHaveLength(1);
  });

  it('panic routing sends one probe at a time: concurrent requests get 503 with the cooldown left as Retry-After', async () => {
    let answerProbe: () => void = () => undefined;
    const heldProbe: Answer = () => new Promise((resolve) => (answerProbe = () => resolve({ body: Buffer.from('{}'), usage: undefined, hasUsage: false, responseModel: 'gpt-4o', headers: [] })));
    const { run, calls, breaker } = executor({}, [HTTP_503, heldProbe]);
    await chat(run);
    expect(breaker.state(KEY)).toBe('open');
    const probing = chat(run);
    const refused = await Promise.all([chat(run), chat(run), chat(run)]);
    expect(calls).toHaveLength(2);
    for (const { error } of refused) {
      expect(error?.code).toBe(GrpcStatus.FAILED_PRECONDITION);
      expect(error?.message).toContain('circuit open: openai/gpt-4o; its probe is in flight');
      expect(Number(error?.detail?.retryAfterMs)).toBeGreaterThan(59_000);
    }
    answerProbe();
    expect((await probing).error).toBeUndefined();
    expect(breaker.state(KEY)).toBe('closed');
  });

  it('our adapter service down is 503 gateway_unavailable, retried, and never opens the provider circuit', async () => {
    const { run, calls, breaker } = executor({ maxRetries: 1 }, [ADAPTER_DOWN, ADAPTER_DOWN, ADAPTER_DOWN, ADAPTER_DOWN]);
    for (let i = 0; i < 2; i++) {
      const { error, record } = await chat(run);
      expect(error?.code).toBe(GrpcStatus.FAILED_PRECONDITION);
      expect(error?.detail?.openaiErrorCode).toBe('gateway_unavailable');
      expect(error?.detail?.fault).toBe(Fault.FAULT_GATEWAY_INTERNAL);
      expect(record.attempts.map((a) => a.outcome)).toEqual(['gateway_error', 'gateway_error']);
    }
    expect(calls).toHaveLength(4);
    expect(breaker.state(KEY)).toBe('closed');
  });

  it('waits for an adapter service that is restarting, within adapterUnavailableWaitMs, past MAX_RETRIES', async () => {
    const { run, calls, breaker } = executor({ maxRetries: 1, adapterUnavailableWaitMs: 2_000 }, [ADAPTER_DOWN, ADAPTER_DOWN, ADAPTER_DOWN, OK]);
    const started = Date.now();
    const { error, record } = await chat(run);
    expect(error).toBeUndefined();
    expect(record.attempts.map((a) => a.outcome)).toEqual(['gateway_error', 'gateway_error', 'gateway_error', 'success']);
    expect(calls).toHaveLength(4);
    // Three waits of 250 ms.
    expect(Date.now() - started).toBeGreaterThanOrEqual(700);
    expect(breaker.state(KEY)).toBe('closed');
  });

  it('gives up on an adapter service still unreachable after adapterUnavailableWaitMs: 503 gateway_unavailable', async () => {
    const { run, calls } = executor({ maxRetries: 0, adapterUnavailableWaitMs: 600 }, Array.from({ length: 20 }, () => ADAPTER_DOWN));
    const started = Date.now();
    const { error } = await chat(run);
    expect(error?.detail?.openaiErrorCode).toBe('gateway_unavailable');
    expect(Date.now() - started).toBeGreaterThanOrEqual(600);
    expect(Date.now() - started).toBeLessThan(2_000);
    // Every 250 ms for 600 ms: the first call and up to three retries.
    expect(calls.length).toBeGreaterThanOrEqual(3);
    expect(calls.length).toBeLessThanOrEqual(4);
  });

  it('a silent provider is given up after the answer limit and not retried on the same candidate', async () => {
    let silent: AbortSignal | undefined;
    const never: Answer = (signal) => {
      silent = signal;
      return new Promise<never>(() => undefined);
    };
    const { run, calls, breaker } = executor({ maxRetries: 2, unaryTimeoutMs: 100 }, [never]);
    const started = Date.now();
    const { error, record } = await chat(run);
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(error?.code).toBe(GrpcStatus.DEADLINE_EXCEEDED);
    expect(error?.message).toContain('openai: the answer limit (100 ms) passed without an answer');
    expect(record.attempts.map((a) => a.outcome)).toEqual(['timeout']);
    expect(calls).toHaveLength(1);
    expect(breaker.state(KEY)).toBe('open');
    // The adapter is told to stop: its provider request is cancelled, not left running.
    expect(silent?.aborted).toBe(true);
  });

  it("a client's own short deadline (x-gateway-timeout-ms) counts against nobody: it cannot open a provider's circuit for everyone", async () => {
    const slow: Answer = (signal) =>
      new Promise((resolve, reject) => {
        const timer = setTimeout(() => resolve({ body: Buffer.from('{}'), usage: undefined, hasUsage: false, responseModel: 'gpt-4o', headers: [] }), 200);
        signal.addEventListener('abort', () => {
          clearTimeout(timer);
          reject(new Error('aborted'));
        });
      });
    const { run, breaker } = executor({ unaryTimeoutMs: 1_000 }, [slow, slow, slow, slow]);
    for (let i = 0; i < 3; i++) {
      const record: RouteRecord = { attempts: [] };
      const failure = await run.unary('chat', { ...meta('gpt-4o'), deadlineMs: 20 }, Buffer.from('{}'), [], new AbortController().signal, record, ROOT_CONTEXT).catch((e: unknown) => e);
      expect(decodeGrpcError((failure as RouteFailure).grpcError).code).toBe(GrpcStatus.DEADLINE_EXCEEDED);
      expect(record.attempts.map((a) => a.outcome)).toEqual(['timeout']);
    }
    expect(breaker.state(KEY)).toBe('closed');
    // The same provider within the request's default deadline answers.
    expect((await chat(run)).error).toBeUndefined();
  });

  it('gives reasoning models their first-token limit, also as a non-streaming answer limit', () => {
    const { run } = executor({}, []);
    const far = Date.now() + 3_600_000;
    const candidate = (model: string) => ({ providerId: 'openai', kind: 'openai', baseUrl: '', model, requestedModel: model, maxOutputTokens: undefined, viaFallback: false });
    expect(run.limitsFor(candidate('o1'), false, far).headersMs).toBe(300_000);
    expect(run.limitsFor(candidate('o1'), true, far)).toMatchObject({ headersMs: 300_000, firstTokenMs: 300_000, idleMs: 500 });
    expect(run.limitsFor(candidate('gpt-4o'), false, far).headersMs).toBe(1_000);
    expect(run.limitsFor(candidate('gpt-4o'), true, far)).toMatchObject({ headersMs: 500, firstTokenMs: 30_000, idleMs: 500 });
    // Every limit is cut to the request's deadline.
    expect(run.limitsFor(candidate('o1'), true, Date.now() + 200).firstTokenMs).toBeLessThanOrEqual(200);
  });
});
