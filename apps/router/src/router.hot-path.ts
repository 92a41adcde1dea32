import type { sendUnaryData, ServerUnaryCall, ServerWritableStream } from '@grpc/grpc-js';
import {
  CompletionRequest,
  CompletionResponse,
  CompletionStreamEvent,
  ROUTER_SERVICE_NAME,
  GATEWAY_V1_PACKAGE_NAME,
  type RequestMeta,
} from '@ai-gateway/proto';
import { decodeGrpcError, directServerStream, directUnary, gatewayGrpcError, GrpcStatus, httpStatusForGrpc, type DirectGrpcMethod, type InflightBytesBudget } from '@ai-gateway/service-kit';
import { contextFromMetadata, endSpan, headersWithContext, SpanKind, startSpan, type Span } from '@ai-gateway/telemetry';
import type { Metadata } from '@grpc/grpc-js';
import type { Logger } from 'pino';
import type { UsagePublisher } from '@ai-gateway/nats';
import { whenWritable } from '@ai-gateway/provider-http';
import type { ProviderStats } from '@ai-gateway/routing';
import { RouteFailure, type Operation, type RouteExecutor, type RouteRecord } from './route.executor';
import type { ConfigSnapshotWatcher } from './config-snapshot.watcher';
import { feedProviderStats } from './provider-stats.feed';
import { buildUsageEvent } from './usage-event.builder';
import { slowReaderError, UnreadBacklog } from './unread-backlog';
import { overloadedError } from './overloaded.error';
import { GrpcStreamWriter } from './grpc-stream.writer';
import { reportedModel } from './reported-model';

const SERVICE_PATH = `/${GATEWAY_V1_PACKAGE_NAME}.${ROUTER_SERVICE_NAME}`;

/**
 * The router's hot-path RPCs — ChatCompletion, StreamChatCompletion, Embeddings — served by
 * handlers registered straight on grpc-js (DirectGrpcMethod), not through Nest's per-call
 * pipeline. The server's interceptors still authenticate and measure every call, and its drain
 * waits for these calls like any other. Each request is reported once: one usage event, one span.
 */
export class RouterHotPath {
  constructor(
    private readonly executor: RouteExecutor,
    private readonly usage: UsagePublisher,
    private readonly logger: Logger,
    /** Request body bytes held at once, every caller together. */
    private readonly bodies: InflightBytesBudget,
    /** Fed by every finished request, read by the routing policies. */
    private readonly stats: ProviderStats,
    private readonly config: ConfigSnapshotWatcher,
  ) {}

  methods(): DirectGrpcMethod[] {
    return [
      directUnary(`${SERVICE_PATH}/ChatCompletion`, CompletionRequest, CompletionResponse, (call, callback) => this.unary('chat', call, callback)),
      directUnary(`${SERVICE_PATH}/Embeddings`, CompletionRequest, CompletionResponse, (call, callback) => this.unary('embeddings', call, callback)),
      directServerStream(`${SERVICE_PATH}/StreamChatCompletion`, CompletionRequest, CompletionStreamEvent, (call) => this.stream(call)),
    ];
  }

  unary(operation: Operation, call: ServerUnaryCall<CompletionRequest, CompletionResponse>, callback: sendUnaryData<CompletionResponse>): void {
    this.answer(operation, call).then(
      (response) => callback(null, response),
      (error: unknown) => callback(toGrpcError(error) as never),
    );
  }

  private async answer(operation: Operation, call: ServerUnaryCall<CompletionRequest, CompletionResponse>): Promise<CompletionResponse> {
    const request = call.request;
    const meta = requestMeta(request);
    const bodyBytes = request.body.byteLength;
    if (!this.bodies.tryTake(bodyBytes)) throw overloadedError();
    const traced = traceRoute(operation, meta, call.metadata);
    const startedAt = Date.now();
    const started = performance.now();
    const record: RouteRecord = { attempts: [] };
    const abort = new AbortController();
    const onCancelled = (): void => abort.abort();
    call.once('cancelled', onCancelled);
    try {
      let response: Awaited<ReturnType<RouteExecutor['unary']>>;
      try {
        response = await this.executor.unary(operation, meta, request.body, request.headers, abort.signal, record, traced.ctx);
      } catch (error) {
        await this.report(operation, meta, record, abort.signal.aborted ? CANCELLED : error, startedAt, started, traced);
        throw error;
      }
      await this.report(operation, meta, record, undefined, startedAt, started, traced);
      return {
        body: response.body,
        route: { provider: record.served?.providerId ?? '', model: reportedModel(response.responseModel, record.served?.model ?? meta.model), attempts: record.attempts.length, headers: response.headers },
      };
    } finally {
      this.bodies.give(bodyBytes);
      call.off('cancelled', onCancelled);
    }
  }

  stream(call: ServerWritableStream<CompletionRequest, CompletionStreamEvent>): void {
    try {
      this.startStream(call);
    } catch (error) {
      call.emit('error', toGrpcError(error));
    }
  }

  private startStream(call: ServerWritableStream<CompletionRequest, CompletionStreamEvent>): void {
    const request = call.request;
    const meta = requestMeta(request);
    const bodyBytes = request.body.byteLength;
    if (!this.bodies.tryTake(bodyBytes)) throw overloadedError();
    const backlog = new UnreadBacklog(call);
    const writer = new GrpcStreamWriter(call);
    const traced = traceRoute('chat', meta, call.metadata);
    const startedAt = Date.now();
    const started = performance.now();
    const record: RouteRecord = { attempts: [] };
    let finished = false;
    /** Reports the request once; the stream's end (its trailers) goes out after the usage event is stored. */
    const finish = (error: unknown, end?: () => void): void => {
      if (finished) return;
      finished = true;
      call.off('cancelled', onCancelled);
      this.bodies.give(bodyBytes);
      const reported = this.report('chat', meta, record, error, startedAt, started, traced);
      if (end) void reported.then(end);
    };
    const writable = (signal: AbortSignal) => whenWritable(call, signal);
    const subscription = this.executor.stream(meta, request.body, request.headers, record, traced.ctx, writable).subscribe({
      next: (event) => {
        if (event.route) {
          writer.write({ route: { provider: event.route.providerId, model: reportedModel(event.route.model, record.served?.model ?? meta.model), attempts: event.attempts ?? 1, headers: event.headers ?? [] } });
        }
        if (event.chunk) {
          if (backlog.add(event.chunk.byteLength)) {
            // The caller stopped reading (a client that does not drain its socket): cut the
            // stream rather than buffer the provider's answer without limit.
            const error = slowReaderError();
            subscription.unsubscribe();
            finish(error, () => writer.end(error));
            return;
          }
          writer.write({ chunk: event.chunk });
        }
      },
      error: (error: unknown) => finish(error, () => writer.end(toGrpcError(error))),
      complete: () => finish(undefined, () => writer.end()),
    });
    const onCancelled = (): void => {
      subscription.unsubscribe();
      writer.abandon();
      finish(CANCELLED);
    };
    if (!finished) call.once('cancelled', onCancelled);
  }

  /**
   * Ends the request's span and publishes its usage event; resolves once JetStream stored the event
   * (or it has to wait for NATS in the publisher's buffer): the answer completes after that, so a
   * kill -9 once the client has its whole answer cannot lose the event.
   */
  private report(operation: Operation, meta: RequestMeta, record: RouteRecord, error: unknown, startedAt: number, started: number, traced: TracedRoute): Promise<unknown> {
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
    const span = traced.span;
    if (span.isRecording()) {
      if (record.responseModel) span.setAttribute('gen_ai.response.model', record.responseModel);
      if (record.usage) {
        span.setAttribute('gen_ai.usage.input_tokens', record.usage.promptTokens);
        span.setAttribute('gen_ai.usage.output_tokens', record.usage.completionTokens);
      }
      span.setAttribute('gateway.attempts', record.attempts.length);
      if (record.routing) {
        span.setAttribute('gateway.routing.strategy', record.routing.strategy);
        span.setAttribute('gateway.routing.reason', record.routing.reason);
      }
    }
    feedProviderStats(this.stats, record, meta.stream);
    endSpan(span, errorType || undefined);
    if (httpStatus >= 500 || record.deliveredFailure) this.logger.warn({ requestId: meta.requestId, model: meta.model, httpStatus, errorType, attempts: record.attempts.length }, 'request failed');
    return this.usage.publishConfirmed(event, span.isRecording() || traced.remoteParent ? headersWithContext(traced.ctx) : undefined);
  }
}

const CANCELLED = Symbol('cancelled');

/** Ingress always sends the request's meta; a call without it is refused, not half-served. */
function requestMeta(request: CompletionRequest): RequestMeta {
  if (!request.meta) throw gatewayGrpcError(GrpcStatus.INVALID_ARGUMENT, 'the request has no meta', { openaiErrorType: 'invalid_request_error' });
  return request.meta;
}

interface TracedRoute {
  span: Span;
  ctx: ReturnType<typeof contextFromMetadata>;
  /** The caller sent a trace context (traceparent) to carry on. */
  remoteParent: boolean;
}

/** The router's span of a request, child of the ingress span carried in gRPC metadata. */
function traceRoute(operation: Operation, meta: RequestMeta, metadata: Metadata): TracedRoute {
  const remoteParent = metadata.get('traceparent').length > 0;
  const { span, ctx } = startSpan(`route ${operation} ${meta.model}`, contextFromMetadata(remoteParent ? metadata : undefined), SpanKind.INTERNAL, {
    'gen_ai.operation.name': operation,
    'gen_ai.request.model': meta.model,
    'gateway.request.id': meta.requestId,
    'gateway.stream': meta.stream,
  });
  return { span, ctx, remoteParent };
}

function toGrpcError(error: unknown): object {
  if (error instanceof RouteFailure) return error.grpcError;
  if (typeof error === 'object' && error !== null && typeof (error as { code?: unknown }).code === 'number') return error;
  // A bug of ours: a status without its text (it could hold anything).
  return gatewayGrpcError(GrpcStatus.INTERNAL, 'internal error in the router', { openaiErrorType: 'api_error' });
}
