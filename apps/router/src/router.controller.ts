import { Controller, Inject } from '@nestjs/common';
import { RpcException } from '@nestjs/microservices';
import type { ServerUnaryCall } from '@grpc/grpc-js';
import { Observable } from 'rxjs';
import {
  RouterServiceControllerMethods,
  type CompletionRequest,
  type CompletionResponse,
  type CompletionStreamEvent,
  type ListModelsResponse,
  type RequestMeta,
  type RouterServiceController,
} from '@ai-gateway/proto';
import { decodeGrpcError, httpStatusForGrpc } from '@ai-gateway/service-kit';
import type { Logger } from 'pino';
import { ConfigSnapshotWatcher } from './config-snapshot.watcher';
import { ProviderKeysCache } from './provider-keys.cache';
import { RouteExecutor, RouteFailure, type Operation, type RouteRecord } from './route.executor';
import { CONFIG_WATCHER, KEYS_CACHE, ROUTE_EXECUTOR, ROUTER_LOGGER, USAGE_PUBLISHER } from './router.constants';
import { buildUsageEvent } from './usage-event.builder';
import type { UsagePublisher } from '@ai-gateway/nats';

@Controller()
@RouterServiceControllerMethods()
export class RouterController implements RouterServiceController {
  constructor(
    @Inject(ROUTE_EXECUTOR) private readonly executor: RouteExecutor,
    @Inject(CONFIG_WATCHER) private readonly config: ConfigSnapshotWatcher,
    @Inject(KEYS_CACHE) private readonly keys: ProviderKeysCache,
    @Inject(USAGE_PUBLISHER) private readonly usage: UsagePublisher,
    @Inject(ROUTER_LOGGER) private readonly logger: Logger,
  ) {}

  chatCompletion(request: CompletionRequest, _metadata?: unknown, call?: ServerUnaryCall<unknown, unknown>): Promise<CompletionResponse> {
    return this.unary('chat', request, call);
  }

  embeddings(request: CompletionRequest, _metadata?: unknown, call?: ServerUnaryCall<unknown, unknown>): Promise<CompletionResponse> {
    return this.unary('embeddings', request, call);
  }

  streamChatCompletion(request: CompletionRequest): Observable<CompletionStreamEvent> {
    const meta = request.meta as RequestMeta;
    const startedAt = Date.now();
    const started = performance.now();
    const record: RouteRecord = { attempts: [] };
    return new Observable<CompletionStreamEvent>((subscriber) => {
      let finished = false;
      const finish = (error: unknown): void => {
        if (finished) return;
        finished = true;
        this.report('chat', meta, record, error, startedAt, started);
      };
      const subscription = this.executor.stream(meta, request.body, request.headers, record).subscribe({
        next: (event) => {
          if (event.route) {
            subscriber.next({
              route: { provider: event.route.providerId, model: event.route.model, attempts: event.attempts ?? 1, headers: event.headers ?? [] },
            });
          }
          if (event.chunk) subscriber.next({ chunk: event.chunk });
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

  private async unary(operation: Operation, request: CompletionRequest, call?: ServerUnaryCall<unknown, unknown>): Promise<CompletionResponse> {
    const meta = request.meta as RequestMeta;
    const startedAt = Date.now();
    const started = performance.now();
    const record: RouteRecord = { attempts: [] };
    const abort = new AbortController();
    call?.on('cancelled', () => abort.abort());
    try {
      const response = await this.executor.unary(operation, meta, request.body, request.headers, abort.signal, record);
      this.report(operation, meta, record, undefined, startedAt, started);
      return {
        body: response.body,
        route: { provider: record.served?.providerId ?? '', model: response.responseModel, attempts: record.attempts.length, headers: response.headers },
      };
    } catch (error) {
      this.report(operation, meta, record, abort.signal.aborted ? CANCELLED : error, startedAt, started);
      throw new RpcException(toGrpcError(error));
    }
  }

  private report(operation: Operation, meta: RequestMeta, record: RouteRecord, error: unknown, startedAt: number, started: number): void {
    let httpStatus = 200;
    let errorType = '';
    if (error === CANCELLED) {
      httpStatus = 499;
      errorType = 'cancelled';
    } else if (error !== undefined) {
      const decoded = decodeGrpcError(toGrpcError(error));
      httpStatus = error instanceof RouteFailure && error.httpStatusHint ? error.httpStatusHint : httpStatusForGrpc(decoded.code);
      errorType = decoded.detail?.openaiErrorCode || decoded.detail?.openaiErrorType || '_OTHER';
    }
    const event = buildUsageEvent(operation, meta, record, { httpStatus, errorType, cancelled: error === CANCELLED }, startedAt, performance.now() - started);
    this.usage.publish(event);
    if (httpStatus >= 500) this.logger.warn({ requestId: meta.requestId, model: meta.model, httpStatus, errorType, attempts: record.attempts.length }, 'request failed');
  }
}

const CANCELLED = Symbol('cancelled');

function toGrpcError(error: unknown): object {
  if (error instanceof RouteFailure) return error.grpcError;
  if (error instanceof RpcException) return error.getError() as object;
  return error as object;
}
