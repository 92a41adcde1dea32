import { Observable, type Subscription } from 'rxjs';
import {
  buildRoutePlan,
  circuitKey,
  classifyFailure,
  retryDelayMs,
  type CircuitBreaker,
  type RouteCandidate,
} from '@ai-gateway/routing';
import type { AdapterRequest, AdapterResponse, AdapterStreamEvent, Attempt, Header, RequestMeta, Usage } from '@ai-gateway/proto';
import { gatewayGrpcError, GrpcStatus, type GatewayGrpcErrorShape } from '@ai-gateway/service-kit';
import type { Metadata } from '@grpc/grpc-js';
import { genAiProviderName } from '@ai-gateway/model-catalog';
import { endSpan, metadataWithContext, SpanKind, startSpan, type Context, type Span } from '@ai-gateway/telemetry';
import type { AdapterClients } from './adapter.clients';
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

export class RouteFailure extends Error {
  constructor(readonly grpcError: GatewayGrpcErrorShape | object, readonly httpStatusHint: number, readonly errorType: string) {
    super('route failed');
  }
}

/** Tries the plan's candidates in order, with bounded retries, within the request's deadline. */
export class RouteExecutor {
  constructor(
    private readonly config: ConfigSnapshotWatcher,
    private readonly keys: ProviderKeysCache,
    private readonly adapters: AdapterClients,
    private readonly breaker: CircuitBreaker,
    private readonly settings: RouteSettings,
  ) {}

  candidates(meta: RequestMeta): RouteCandidate[] {
    const view = this.config.current();
    const plan = buildRoutePlan({
      requestedModel: meta.model,
      providers: view.snapshot.providers,
      providersWithKeys: this.keys.providersWithKeys(),
      fallbacks: view.fallbacks,
      catalog: view.catalog,
    });
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
    const deadline = Date.now() + (meta.deadlineMs || this.settings.requestTimeoutMs);
    const candidates = this.candidates(meta);
    const failures: AttemptFailure[] = [];
    for (const candidate of candidates) {
      const adapter = this.adapters.forKind(candidate.kind);
      if (!adapter) continue;
      for (let attempt = 1; ; attempt++) {
        const breakerKey = circuitKey(candidate.providerId, candidate.model);
        if (!this.breaker.allow(breakerKey)) break;
        const key = this.keys.pick(candidate.providerId);
        if (!key) break;
        const timeout = Math.min(this.settings.attemptTimeoutMs, deadline - Date.now());
        if (timeout <= 0) return this.fail(failures, record, true);
        const request = adapterRequest(meta, candidate, key.secret, body, headers, timeout);
        const trace = traceAttempt(parent, candidate, meta);
        try {
          const response = await callUnary(operation === 'chat' ? adapter.chat(request, trace.metadata) : adapter.embeddings(request, trace.metadata), timeout, signal);
          this.breaker.recordSuccess(breakerKey);
          record.attempts.push(attemptOf(candidate, 'success', 200, trace));
          record.served = candidate;
          record.responseModel = response.responseModel;
          record.usage = response.hasUsage ? response.usage : undefined;
          return response;
        } catch (error) {
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

  stream(
    meta: RequestMeta,
    body: Uint8Array,
    headers: Header[],
    record: RouteRecord,
    parent: Context,
  ): Observable<{ route?: RouteCandidate; headers?: Header[]; attempts?: number; chunk?: Uint8Array }> {
    return new Observable((subscriber) => {
      const deadline = Date.now() + (meta.deadlineMs || this.settings.requestTimeoutMs);
      const abort = new AbortController();
      let current: Subscription | undefined;
      const run = async (): Promise<void> => {
        const candidates = this.candidates(meta);
        const failures: AttemptFailure[] = [];
        for (const candidate of candidates) {
          const adapter = this.adapters.forKind(candidate.kind);
          if (!adapter) continue;
          for (let attempt = 1; ; attempt++) {
            const breakerKey = circuitKey(candidate.providerId, candidate.model);
            if (!this.breaker.allow(breakerKey)) break;
            const key = this.keys.pick(candidate.providerId);
            if (!key) break;
            const timeout = Math.min(this.settings.attemptTimeoutMs, deadline - Date.now());
            if (timeout <= 0) return this.fail(failures, record, true);
            const request = adapterRequest(meta, candidate, key.secret, body, headers, timeout);
            const trace = traceAttempt(parent, candidate, meta);
            let delivered = false;
            try {
              await new Promise<void>((resolve, reject) => {
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
                    if (event.chunk) {
                      if (!delivered) {
                        delivered = true;
                        clearTimeout(firstByteTimer);
                        record.timeToFirstTokenMs = performance.now() - trace.started;
                        record.served = candidate;
                        subscriber.next({ route: candidate, headers: startHeaders, attempts: record.attempts.length + 1 });
                      }
                      subscriber.next({ chunk: event.chunk });
                    }
                  },
                  error: (error: unknown) => {
                    clearTimeout(firstByteTimer);
                    reject(error);
                  },
                  complete: () => {
                    clearTimeout(firstByteTimer);
                    resolve();
                  },
                });
              });
              this.breaker.recordSuccess(breakerKey);
              record.attempts.push(attemptOf(candidate, 'success', 200, trace));
              record.served = candidate;
              return;
            } catch (error) {
              const described = describeAttemptFailure(error);
              if (delivered) {
                // The client already has bytes from this provider: no fallback, the stream ends with an error.
                record.attempts.push(attemptOf(candidate, 'error', described.decoded.detail?.upstreamHttpStatus ?? 0, trace));
                this.breaker.recordFailure(breakerKey);
                throw new RouteFailure(described.error as object, 0, '');
              }
              const next = this.afterFailure(described, candidate, breakerKey, attempt, deadline, record, trace);
              failures.push(described);
              if (next === 'return') throw new RouteFailure(described.error as object, 0, '');
              if (next === 'next') break;
              await sleep(next, abort.signal);
            }
          }
        }
        return this.fail(failures, record, false);
      };
      run()
        .then(() => subscriber.complete())
        .catch((error: unknown) => subscriber.error(error));
      return () => {
        abort.abort();
        current?.unsubscribe();
      };
    });
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
  };
}

interface AttemptTrace {
  started: number;
  metadata: Metadata;
  span: Span;
}

/** One attempt's span, child of the router's request span; its context travels to the adapter in gRPC metadata. */
function traceAttempt(parent: Context, candidate: RouteCandidate, meta: RequestMeta): AttemptTrace {
  const { span, ctx } = startSpan(`attempt ${candidate.providerId}`, parent, SpanKind.CLIENT, {
    'gen_ai.provider.name': genAiProviderName(candidate.kind),
    'gen_ai.request.model': candidate.model,
    'gateway.provider.id': candidate.providerId,
    'gateway.via_fallback': candidate.viaFallback,
    'gateway.request.id': meta.requestId,
  });
  return { started: performance.now(), metadata: metadataWithContext(ctx), span };
}

/** The attempt as the usage event records it; ends its span. */
function attemptOf(candidate: RouteCandidate, outcome: string, status: number, trace: AttemptTrace): Attempt {
  trace.span.setAttribute('http.response.status_code', status);
  endSpan(trace.span, outcome === 'success' ? undefined : outcome);
  return { provider: candidate.providerId, providerKind: candidate.kind, model: candidate.model, outcome, status, latencyMs: performance.now() - trace.started };
}

function callUnary(source: Observable<AdapterResponse>, timeoutMs: number, signal: AbortSignal): Promise<AdapterResponse> {
  return new Promise((resolve, reject) => {
    let settled = false;
    const finish = (): void => {
      settled = true;
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
    };
    const subscription = source.subscribe({
      next: (value) => {
        finish();
        resolve(value);
      },
      error: (error: unknown) => {
        finish();
        reject(error);
      },
    });
    const timer = setTimeout(() => {
      if (settled) return;
      finish();
      subscription.unsubscribe();
      reject(gatewayGrpcError(GrpcStatus.DEADLINE_EXCEEDED, `no answer within ${timeoutMs} ms`, { retryable: true }));
    }, timeoutMs);
    const onAbort = (): void => {
      if (settled) return;
      finish();
      subscription.unsubscribe();
      reject(gatewayGrpcError(GrpcStatus.CANCELLED, 'client cancelled'));
    };
    signal.addEventListener('abort', onAbort);
  });
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(gatewayGrpcError(GrpcStatus.CANCELLED, 'client cancelled'));
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(gatewayGrpcError(GrpcStatus.CANCELLED, 'client cancelled'));
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
