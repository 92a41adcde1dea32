import { Observable, type Subscription } from 'rxjs';
import {
  buildRoutePlan,
  circuitKey,
  classifyFailure,
  retryDelayMs,
  type CircuitBreaker,
  type RouteCandidate,
  type RoutePlan,
} from '@ai-gateway/routing';
import type { AdapterRequest, AdapterResponse, AdapterStreamEvent, Attempt, Header, ProviderAdapterServiceClient, RequestMeta, Usage } from '@ai-gateway/proto';
import { gatewayGrpcError, GrpcStatus, type GatewayGrpcErrorShape } from '@ai-gateway/service-kit';
import type { Context } from '@ai-gateway/telemetry';
import type { AdapterClients } from './adapter.clients';
import { attemptOf, traceAttempt, type AttemptTrace } from './attempt.trace';
import { callUnary, sleep } from './cancellable';
import { describeAttemptFailure, type AttemptFailure } from './attempt-failure';
import type { ConfigSnapshotWatcher } from './config-snapshot.watcher';
import type { ProviderKeysCache } from './provider-keys.cache';

export interface RouteSettings {
  requestTimeoutMs: number;
  attemptTimeoutMs: number;
  maxRetries: number;
  retryBaseMs: number;
  retryAfterMaxMs: number;
}

/** What one request did, for its UsageEvent. */
export interface RouteRecord {
  attempts: Attempt[];
  served?: RouteCandidate;
  responseModel?: string;
  usage?: Usage;
  timeToFirstTokenMs?: number;
}

export type Operation = 'chat' | 'embeddings';

/** What a routed stream emits: the serving route once, before its first chunk, then chunks. */
export interface RoutedStreamEvent {
  route?: RouteCandidate;
  headers?: Header[];
  attempts?: number;
  chunk?: Uint8Array;
}

interface AttemptLoopInput {
  meta: RequestMeta;
  body: Uint8Array;
  headers: Header[];
  record: RouteRecord;
  parent: Context;
  signal: AbortSignal;
}

interface AttemptSlot {
  candidate: RouteCandidate;
  adapter: ProviderAdapterServiceClient;
  request: AdapterRequest;
  trace: AttemptTrace;
  timeout: number;
}

/** A stream failed after its first chunk reached the client: no retry, no fallback. */
class DeliveredFailure extends Error {
  constructor(override readonly cause: unknown) {
    super('stream failed after its first chunk');
  }
}

export class RouteFailure extends Error {
  constructor(readonly grpcError: GatewayGrpcErrorShape | object, readonly httpStatusHint: number, readonly errorType: string) {
    super('route failed');
  }
}

/** Tries the plan's candidates in order, with bounded retries, within the request's deadline. */
const PLAN_CACHE_LIMIT = 1024;

export class RouteExecutor {
  /** Route plans by requested model, valid until the config or the set of keys changes. */
  private readonly plans = new Map<string, RoutePlan>();

  constructor(
    private readonly config: ConfigSnapshotWatcher,
    private readonly keys: ProviderKeysCache,
    private readonly adapters: AdapterClients,
    private readonly breaker: CircuitBreaker,
    private readonly settings: RouteSettings,
  ) {
    config.onChange(() => this.plans.clear());
    keys.onChange(() => this.plans.clear());
  }

  private planFor(model: string): RoutePlan {
    const cached = this.plans.get(model);
    if (cached) return cached;
    const view = this.config.current();
    const plan = buildRoutePlan({
      requestedModel: model,
      providers: view.snapshot.providers,
      providersWithKeys: this.keys.providersWithKeys(),
      fallbacks: view.fallbacks,
      catalog: view.catalog,
    });
    if (this.plans.size >= PLAN_CACHE_LIMIT) this.plans.clear();
    this.plans.set(model, plan);
    return plan;
  }

  candidates(meta: RequestMeta): RouteCandidate[] {
    const plan = this.planFor(meta.model);
    if (plan.candidates.length > 0) return plan.candidates;
    if (plan.reason === 'unknown_model') {
      throw new RouteFailure(
        gatewayGrpcError(GrpcStatus.NOT_FOUND, `The model \`${meta.model}\` does not exist or is not served by this gateway.`, {
          openaiErrorType: 'invalid_request_error',
          openaiErrorCode: 'model_not_found',
          param: 'model',
        }),
        404,
        'model_not_found',
      );
    }
    const why = plan.unavailableProviders.map((p) => `${p.providerId}: ${p.cause === 'no_key' ? 'no key' : 'disabled'}`).join(', ');
    const providers = [...new Set(plan.unavailableProviders.map((p) => p.providerId))];
    throw new RouteFailure(
      gatewayGrpcError(
        GrpcStatus.FAILED_PRECONDITION,
        `No enabled provider holding a key serves \`${meta.model}\`${why ? ` (${why})` : ''}.`,
        { openaiErrorType: 'service_unavailable', openaiErrorCode: 'no_provider_available', provider: providers.join(',') },
      ),
      503,
      'no_provider_available',
    );
  }

  async unary(
    operation: Operation,
    meta: RequestMeta,
    body: Uint8Array,
    headers: Header[],
    signal: AbortSignal,
    record: RouteRecord,
    parent: Context,
  ): Promise<AdapterResponse> {
    return this.runAttempts({ meta, body, headers, record, parent, signal }, async ({ adapter, request, trace, timeout }) => {
      const call = operation === 'chat' ? adapter.chat(request, trace.metadata) : adapter.embeddings(request, trace.metadata);
      const response = await callUnary(call, timeout, signal);
      record.responseModel = response.responseModel;
      record.usage = response.hasUsage ? response.usage : undefined;
      return response;
    });
  }

  stream(meta: RequestMeta, body: Uint8Array, headers: Header[], record: RouteRecord, parent: Context): Observable<RoutedStreamEvent> {
    return new Observable<RoutedStreamEvent>((subscriber) => {
      const abort = new AbortController();
      let current: Subscription | undefined;
      const streamOnce = ({ candidate, adapter, request, trace, timeout }: AttemptSlot): Promise<void> =>
        new Promise<void>((resolve, reject) => {
          let delivered = false;
          let startHeaders: Header[] = [];
          const firstByteTimer = setTimeout(() => {
            current?.unsubscribe();
            reject(gatewayGrpcError(GrpcStatus.DEADLINE_EXCEEDED, `no first chunk within ${timeout} ms`, { provider: candidate.providerId, retryable: true }));
          }, timeout);
          current = adapter.chatStream(request, trace.metadata).subscribe({
            next: (event: AdapterStreamEvent) => {
              if (event.start) startHeaders = event.start.headers;
              if (event.responseModel) record.responseModel = event.responseModel;
              if (event.usage) record.usage = event.usage;
              if (!event.chunk) return;
              if (!delivered) {
                delivered = true;
                clearTimeout(firstByteTimer);
                record.timeToFirstTokenMs = performance.now() - trace.started;
                record.served = candidate;
                subscriber.next({ route: candidate, headers: startHeaders, attempts: record.attempts.length + 1 });
              }
              subscriber.next({ chunk: event.chunk });
            },
            error: (error: unknown) => {
              clearTimeout(firstByteTimer);
              // Once the client has bytes from this provider there is no fallback: the stream ends with the error.
              reject(delivered ? new DeliveredFailure(error) : error);
            },
            complete: () => {
              clearTimeout(firstByteTimer);
              resolve();
            },
          });
        });
      this.runAttempts({ meta, body, headers, record, parent, signal: abort.signal }, streamOnce)
        .then(() => subscriber.complete())
        .catch((error: unknown) => subscriber.error(error));
      return () => {
        abort.abort();
        current?.unsubscribe();
      };
    });
  }

  /**
   * The attempt loop shared by unary calls and streams: candidates in plan order, bounded
   * retries on each, the breaker consulted, everything within the request's deadline.
   */
  private async runAttempts<T>(input: AttemptLoopInput, tryOnce: (slot: AttemptSlot) => Promise<T>): Promise<T> {
    const { meta, record, signal } = input;
    const deadline = Date.now() + (meta.deadlineMs || this.settings.requestTimeoutMs);
    const failures: AttemptFailure[] = [];
    for (const candidate of this.candidates(meta)) {
      const adapter = this.adapters.forKind(candidate.kind);
      if (!adapter) continue;
      const breakerKey = circuitKey(candidate.providerId, candidate.model);
      for (let attempt = 1; ; attempt++) {
        if (!this.breaker.allow(breakerKey)) break;
        const key = this.keys.pick(candidate.providerId);
        if (!key) break;
        const timeout = Math.min(this.settings.attemptTimeoutMs, deadline - Date.now());
        if (timeout <= 0) return this.fail(failures, record, true);
        const request = adapterRequest(meta, candidate, key.secret, input.body, input.headers, timeout);
        const trace = traceAttempt(input.parent, candidate, meta);
        try {
          const result = await tryOnce({ candidate, adapter, request, trace, timeout });
          this.breaker.recordSuccess(breakerKey);
          record.attempts.push(attemptOf(candidate, 'success', 200, trace));
          record.served = candidate;
          return result;
        } catch (error) {
          if (error instanceof DeliveredFailure) {
            const described = describeAttemptFailure(error.cause);
            record.attempts.push(attemptOf(candidate, 'error', described.decoded.detail?.upstreamHttpStatus ?? 0, trace));
            this.breaker.recordFailure(breakerKey);
            throw new RouteFailure(described.error as object, 0, '');
          }
          const described = describeAttemptFailure(error);
          const next = this.afterFailure(described, candidate, breakerKey, attempt, deadline, record, trace);
          failures.push(described);
          if (next === 'return') throw new RouteFailure(described.error as object, 0, '');
          if (next === 'next') break;
          await sleep(next, signal);
        }
      }
    }
    return this.fail(failures, record, false);
  }

  /** 'return' the error to the client, move to the 'next' candidate, or wait this many ms and retry. */
  private afterFailure(
    described: AttemptFailure,
    candidate: RouteCandidate,
    breakerKey: string,
    attempt: number,
    deadline: number,
    record: RouteRecord,
    trace: AttemptTrace,
  ): 'return' | 'next' | number {
    const classification = classifyFailure(described.failure);
    const status = described.failure.kind === 'http' ? described.failure.status : 0;
    const outcome = described.failure.kind === 'http' ? 'error' : described.failure.kind === 'connection' ? 'connection_error' : described.failure.kind;
    record.attempts.push(attemptOf(candidate, outcome, status, trace));
    if (classification.action === 'return_to_client') return 'return';
    this.breaker.recordFailure(breakerKey);
    if (classification.action === 'next_candidate' || attempt > this.settings.maxRetries) return 'next';
    const detail = described.decoded.detail;
    const retryAfter = detail?.retryAfterMs ? String(detail.retryAfterMs) : undefined;
    const delay = retryDelayMs({
      attempt,
      baseMs: this.settings.retryBaseMs,
      maxMs: 2_000,
      retryAfterMsHeader: retryAfter,
      retryAfterMaxMs: this.settings.retryAfterMaxMs,
      remainingBudgetMs: deadline - Date.now(),
      random: Math.random,
    });
    return delay === null ? 'next' : delay;
  }

  private fail(failures: AttemptFailure[], record: RouteRecord, deadlinePassed: boolean): never {
    const attempts = record.attempts.length;
    if (failures.length === 0) {
      throw new RouteFailure(
        gatewayGrpcError(GrpcStatus.UNAVAILABLE, 'No provider could take the request (circuits open or keys just revoked).', {
          openaiErrorType: 'service_unavailable',
          retryable: true,
          attempts,
        }),
        503,
        'no_provider_available',
      );
    }
    const rateLimited = failures.filter((f) => f.failure.kind === 'http' && f.failure.status === 429);
    if (rateLimited.length === failures.length) {
      const waits = rateLimited.map((f) => f.decoded.detail?.retryAfterMs ?? 0).filter((ms) => ms > 0);
      const last = rateLimited[rateLimited.length - 1].decoded.detail;
      throw new RouteFailure(
        gatewayGrpcError(GrpcStatus.RESOURCE_EXHAUSTED, 'Every provider for this model is rate limiting the gateway; retry later.', {
          openaiErrorType: 'rate_limit_exceeded',
          openaiErrorCode: 'rate_limit_exceeded',
          provider: last?.provider ?? '',
          retryAfterMs: waits.length ? Math.min(...waits) : 1000,
          headers: last?.headers ?? [],
          attempts,
        }),
        429,
        'rate_limit_exceeded',
      );
    }
    const last = failures[failures.length - 1];
    const timedOut = deadlinePassed || last.failure.kind === 'timeout';
    const summary = failures
      .map((f) => `${f.decoded.detail?.provider || 'adapter'}: ${f.failure.kind === 'http' ? `HTTP ${f.failure.status}` : f.failure.kind}`)
      .join('; ');
    throw new RouteFailure(
      gatewayGrpcError(timedOut ? GrpcStatus.DEADLINE_EXCEEDED : GrpcStatus.UNAVAILABLE, `Every provider failed (${summary}). Last: ${last.decoded.message}`, {
        openaiErrorType: timedOut ? 'timeout_error' : 'api_error',
        provider: last.decoded.detail?.provider ?? '',
        upstreamHttpStatus: last.decoded.detail?.upstreamHttpStatus ?? 0,
        attempts,
      }),
      timedOut ? 504 : 502,
      timedOut ? 'timeout' : 'upstream_error',
    );
  }
}

function adapterRequest(meta: RequestMeta, candidate: RouteCandidate, apiKey: string, body: Uint8Array, headers: Header[], timeoutMs: number): AdapterRequest {
  return {
    requestId: meta.requestId,
    target: {
      providerId: candidate.providerId,
      kind: candidate.kind,
      baseUrl: candidate.baseUrl,
      apiKey,
      model: candidate.model,
      maxOutputTokens: candidate.maxOutputTokens ?? 0,
    },
    body,
    includeUsage: meta.includeUsage,
    headers,
    timeoutMs,
    clientModel: meta.model,
  };
}
