import { RpcException } from '@nestjs/microservices';
import { Observable } from 'rxjs';
import { genAiProviderName } from '@ai-gateway/model-catalog';
import type { AdapterResponse, AdapterStreamEvent, ProviderTarget, Usage } from '@ai-gateway/proto';
import { decodeGrpcError } from '@ai-gateway/service-kit';
import { contextFromMetadata, endSpan, SpanKind, startSpan, type Span } from '@ai-gateway/telemetry';
import type { AdapterCall } from './provider-adapter';

/** The adapter's span around its call to the provider: gen_ai.* attributes, never content or keys. */
export class UpstreamSpan {
  private readonly span: Span;

  constructor(operation: 'chat' | 'embeddings', target: ProviderTarget | undefined, call: AdapterCall) {
    this.span = startSpan(`${operation} ${target?.model ?? ''}`, call.context ?? contextFromMetadata(call.metadata), SpanKind.CLIENT, {
      'gen_ai.operation.name': operation,
      'gen_ai.provider.name': genAiProviderName(target?.kind ?? ''),
      'gen_ai.request.model': target?.model ?? '',
    }).span;
    // Parsed only for a span that is kept (tracing on), not on every call.
    if (this.span.isRecording()) this.span.setAttribute('server.address', hostOf(target));
  }

  succeeded(responseModel: string | undefined, usage: Usage | undefined): void {
    if (responseModel) this.span.setAttribute('gen_ai.response.model', responseModel);
    if (usage) {
      this.span.setAttribute('gen_ai.usage.input_tokens', usage.promptTokens);
      this.span.setAttribute('gen_ai.usage.output_tokens', usage.completionTokens);
    }
    endSpan(this.span);
  }

  failed(errorType: string): void {
    endSpan(this.span, errorType);
  }

  /** A short error type for a span: the provider's error type when known, else the gRPC code. */
  static errorType(error: unknown): string {
    return errorTypeOf(error);
  }
}

/** A short error type for a span: the provider's error type when known, else the gRPC code. */
function errorTypeOf(error: unknown): string {
  const shape = (error instanceof RpcException ? error.getError() : error) as object;
  const decoded = decodeGrpcError(shape);
  return decoded.detail?.openaiErrorType || `grpc_${decoded.code}`;
}

/** Runs a unary adapter call inside its upstream span. */
export async function traceUnary(span: UpstreamSpan, call: () => Promise<AdapterResponse>): Promise<AdapterResponse> {
  try {
    const response = await call();
    span.succeeded(response.responseModel, response.usage);
    return response;
  } catch (error) {
    span.failed(errorTypeOf(error));
    throw error;
  }
}

/** Wraps a streaming adapter call in its upstream span (ended on completion, error or cancellation). */
export function traceStream(span: UpstreamSpan, source: Observable<AdapterStreamEvent>): Observable<AdapterStreamEvent> {
  return new Observable<AdapterStreamEvent>((subscriber) => {
    let responseModel: string | undefined;
    let usage: Usage | undefined;
    let ended = false;
    const subscription = source.subscribe({
      next: (event) => {
        if (event.responseModel) responseModel = event.responseModel;
        if (event.usage) usage = event.usage;
        subscriber.next(event);
      },
      error: (error: unknown) => {
        ended = true;
        span.failed(errorTypeOf(error));
        subscriber.error(error);
      },
      complete: () => {
        ended = true;
        span.succeeded(responseModel, usage);
        subscriber.complete();
      },
    });
    return () => {
      subscription.unsubscribe();
      if (!ended) span.failed('cancelled');
    };
  });
}

function hostOf(target: ProviderTarget | undefined): string {
  try {
    return target ? new URL(target.baseUrl).host : '';
  } catch {
    return '';
  }
}
