import { Controller, Inject } from '@nestjs/common';
import { RpcException } from '@nestjs/microservices';
import type { ServerUnaryCall, ServerWritableStream } from '@grpc/grpc-js';
import { Observable, throwError } from 'rxjs';
import {
  RouterServiceControllerMethods,
  type CompletionRequest,
  type CompletionResponse,
  type CompletionStreamEvent,
  type DiscoverModelsRequest,
  type DiscoverModelsResponse,
  type ListKeyStatesResponse,
  type ListModelsResponse,
  type RequestMeta,
  type RoutingStatsResponse,
  type RouterServiceController,
} from '@ai-gateway/proto';
import { decodeGrpcError, httpStatusForGrpc, type InflightBytesBudget } from '@ai-gateway/service-kit';
import { contextFromMetadata, endSpan, headersWithContext, SpanKind, startSpan, type Span } from '@ai-gateway/telemetry';
import type { Metadata } from '@grpc/grpc-js';
import type { Logger } from 'pino';
import { ConfigSnapshotWatcher } from './config-snapshot.watcher';
import { ProviderKeysCache } from './provider-keys.cache';
import { RouteExecutor, RouteFailure, type Operation, type RouteRecord } from './route.executor';
import { BODY_BUDGET, CONFIG_WATCHER, KEY_HEALTH, KEYS_CACHE, PROVIDER_STATS, ROUTE_EXECUTOR, ROUTER_LOGGER, USAGE_PUBLISHER } from './router.constants';
import type { KeyHealth, ProviderStats } from '@ai-gateway/routing';
import { feedProviderStats } from './provider-stats.feed';
import { buildUsageEvent } from './usage-event.builder';
import { discoverModelsOf } from './model-discovery.handler';
import { slowReaderError, UnreadBacklog } from './unread-backlog';
import { overloadedError } from './overloaded.error';
import type { UsagePublisher } from '@ai-gateway/nats';
import { whenWritable } from '@ai-gateway/provider-http';

@Controller()
@RouterServiceControllerMethods()
export class RouterController implements RouterServiceController {
  constructor(
    @Inject(ROUTE_EXECUTOR) private readonly executor: RouteExecutor,
    @Inject(CONFIG_WATCHER) private readonly config: ConfigSnapshotWatcher,
    @Inject(KEYS_CACHE) private readonly keys: ProviderKeysCache,
    @Inject(USAGE_PUBLISHER) private readonly usage: UsagePublisher,
    @Inject(ROUTER_LOGGER) private readonly logger: Logger,
    @Inject(BODY_BUDGET) private readonly bodies: InflightBytesBudget,
    @Inject(KEY_HEALTH) private readonly keyHealth: KeyHealth,
    @Inject(PROVIDER_STATS) private readonly stats: ProviderStats,
  ) {}

  /** This replica's figures only: each router process measures the requests it routes. */
  getRoutingStats(): RoutingStatsResponse {
    return {
      stats: this.stats.all().map((entry) => ({
        provider: entry.provider,
        model: entry.model,
        ewmaTtftMs: entry.ewmaTtftMs ?? 0,
        ewmaLatencyMs: entry.ewmaLatencyMs ?? 0,
        errorRate: entry.errorRate,
        latencySamples: entry.latencySamples,
        outcomeSamples: entry.outcomeSamples,
      })),
    };
  }

  chatCompletion(request: CompletionRequest, metadata?: Metadata, call?: ServerUnaryCall<unknown, unknown>): Promise<CompletionResponse> {
    return this.unary('chat', request, metadata, call);
  }

  embeddings(request: CompletionRequest, metadata?: Metadata, call?: ServerUnaryCall<unknown, unknown>): Promise<CompletionResponse> {
    return this.unary('embeddings', request, metadata, call);
  }

  /** Admin only (SERVICE_ACCESS): the models an OpenAI-compatible provider lists. */
  discoverModels(request: DiscoverModelsRequest): Promise<DiscoverModelsResponse> {
    return discoverModelsOf(request, this.config, this.keys, this.logger);
  }

  streamChatCompletion(request: CompletionRequest, metadata?: Metadata, call?: ServerWritableStream<unknown, unknown>): Observable<CompletionStreamEvent> {
    const meta = request.meta as RequestMeta;
    const bodyBytes = request.body.byteLength;
    if (!this.bodies.tryTake(bodyBytes)) return throwError(() => new RpcException(overloadedError()));
    const backlog = new UnreadBacklog(call);
    const traced = traceRoute('chat', meta, metadata);
    const startedAt = Date.now();
    const started = performance.now();
    const record: RouteRecord = { attempts: [] };
    return new Observable<CompletionStreamEvent>((subscriber) => {
      let finished = false;
      const finish = (error: unknown): void => {
        if (finished) return;
        finished = true;
        this.bodies.give(bodyBytes);
        this.report('chat', meta, record, error, startedAt, started, traced);
      };
      const writable = (signal: AbortSignal) => whenWritable(call, signal);
      const subscription = this.executor.stream(meta, request.body, request.headers, record, traced.ctx, writable).subscribe({
        next: (event) => {
          if (event.route) {
            subscriber.next({
              route: { provider: event.route.providerId, model: event.route.model, attempts: event.attempts ?? 1, headers: event.headers ?? [] },
            });
          }
          if (event.chunk) {
            if (backlog.add(event.chunk.byteLength)) {
              // The caller stopped reading (a client that does not drain its socket): cut the
              // stream rather than buffer the provider's answer without limit.
              const error = slowReaderError();
              subscription.unsubscribe();
              finish(error);
              subscriber.error(new RpcException(error));
              return;
            }
            subscriber.next({ chunk: event.chunk });
          }
        },
        error: (error: unknown) => {
          finish(error);
          subscriber.error(new RpcException(toGrpcError(error)));
        },
        complete: () => {
          finish(undefined);
          subscriber.complete();
        },
      });
      return () => {
        subscription.unsubscribe();
        finish(CANCELLED);
      };
    });
  }

  listModels(): ListModelsResponse {
    const view = this.config.current();
    const servable = view.catalog.listServableModels({ providersWithKeys: this.keys.providersWithKeys() });
    return {
      models: servable.map((model) => ({ id: model.id, ownedBy: model.providerIds[0] ?? 'gateway', created: 0 })),
    };
  }

  /** Every key this router holds, with its pool state: ids only, never a key. */
  listKeyStates(): ListKeyStatesResponse {
    return {
      keys: this.keys.all().map((key) => {
        const state = this.keyHealth.stateOf(key);
        return {
          keyId: key.id,
          provider: key.provider,
          status: state.status,
          coolingUntilUnixMs: state.coolingUntil,
          failingSinceUnixMs: state.failingSince,
          failingStatus: state.failingStatus,
          lastRateLimitedUnixMs: state.lastLimitedAt,
        };
      }),
    };
  }

  private async unary(
    operation: Operation,
    request: CompletionRequest,
    metadata: Metadata | undefined,
    call?: ServerUnaryCall<unknown, unknown>,
  ): Promise<CompletionResponse> {
    const meta = request.meta as RequestMeta;
    const bodyBytes = request.body.byteLength;
    if (!this.bodies.tryTake(bodyBytes)) throw new RpcException(overloadedError());
    try {
      return await this.unaryWithinBudget(operation, request, meta, metadata, call);
    } finally {
      this.bodies.give(bodyBytes);
    }
  }

  private async unaryWithinBudget(
    operation: Operation,
    request: CompletionRequest,
    meta: RequestMeta,
    metadata: Metadata | undefined,
    call?: ServerUnaryCall<unknown, unknown>,
  ): Promise<CompletionResponse> {
    const traced = traceRoute(operation, meta, metadata);
    const startedAt = Date.now();
    const started = performance.now();
    const record: RouteRecord = { attempts: [] };
    const abort = new AbortController();
    call?.on('cancelled', () => abort.abort());
    try {
      const response = await this.executor.unary(operation, meta, request.body, request.headers, abort.signal, record, traced.ctx);
      this.report(operation, meta, record, undefined, startedAt, started, traced);
      return {
        body: response.body,
        route: { provider: record.served?.providerId ?? '', model: response.responseModel, attempts: record.attempts.length, headers: response.headers },
      };
    } catch (error) {
      this.report(operation, meta, record, abort.signal.aborted ? CANCELLED : error, startedAt, started, traced);
      throw new RpcException(toGrpcError(error));
    }
  }

  private report(
    operation: Operation,
    meta: RequestMeta,
    record: RouteRecord,
    error: unknown,
    startedAt: number,
    started: number,
    traced: TracedRoute,
  ): void {
    let httpStatus = 200;
    let errorType = '';
    let failed = false;
    if (error === CANCELLED) {
      httpStatus = 499;
      errorType = 'cancelled';
    } else if (error !== undefined) {
      const decoded = decodeGrpcError(toGrpcError(error));
      failed = true;
      // What the client received: the ingress maps the gRPC code alone; a stream that broke
      // off after content had its 200 already, and ends with an in-band error.
      httpStatus = record.deliveredFailure ? 200 : httpStatusForGrpc(decoded.code);
      errorType = decoded.detail?.openaiErrorCode || decoded.detail?.openaiErrorType || '_OTHER';
    }
    const event = buildUsageEvent(operation, meta, record, { httpStatus, errorType, cancelled: error === CANCELLED, failed }, startedAt, performance.now() - started, this.config.current().catalog);
    if (record.responseModel) traced.span.setAttribute('gen_ai.response.model', record.responseModel);
    if (record.usage) {
      traced.span.setAttribute('gen_ai.usage.input_tokens', record.usage.promptTokens);
      traced.span.setAttribute('gen_ai.usage.output_tokens', record.usage.completionTokens);
    }
    traced.span.setAttribute('gateway.attempts', record.attempts.length);
    if (record.routing) {
      traced.span.setAttribute('gateway.routing.strategy', record.routing.strategy);
      traced.span.setAttribute('gateway.routing.reason', record.routing.reason);
    }
    feedProviderStats(this.stats, record, meta.stream);
    endSpan(traced.span, errorType || undefined);
    this.usage.publish(event, headersWithContext(traced.ctx));
    if (httpStatus >= 500 || record.deliveredFailure) this.logger.warn({ requestId: meta.requestId, model: meta.model, httpStatus, errorType, attempts: record.attempts.length }, 'request failed');
  }
}

const CANCELLED = Symbol('cancelled');

interface TracedRoute {
  span: Span;
  ctx: ReturnType<typeof contextFromMetadata>;
}

/** The router's span of a request, child of the ingress span carried in gRPC metadata. */
function traceRoute(operation: Operation, meta: RequestMeta, metadata: Metadata | undefined): TracedRoute {
  return startSpan(`route ${operation} ${meta.model}`, contextFromMetadata(metadata), SpanKind.INTERNAL, {
    'gen_ai.operation.name': operation,
    'gen_ai.request.model': meta.model,
    'gateway.request.id': meta.requestId,
    'gateway.stream': meta.stream,
  });
}

function toGrpcError(error: unknown): object {
  if (error instanceof RouteFailure) return error.grpcError;
  if (error instanceof RpcException) return error.getError() as object;
  return error as object;
}
