import { Controller, Inject } from '@nestjs/common';
import { RpcException } from '@nestjs/microservices';
import type { Metadata, ServerUnaryCall } from '@grpc/grpc-js';
import { Observable, type Subscriber } from 'rxjs';
import type { ChatCompletion, ChatStreamOutput } from '@ai-gateway/openai-api';
import {
  ProviderAdapterServiceControllerMethods,
  type AdapterRequest,
  type AdapterResponse,
  type AdapterStreamEvent,
  type ProviderAdapterServiceController,
  type ProviderTarget,
} from '@ai-gateway/proto';
import { anthropicChatTranslator } from '@ai-gateway/providers-anthropic';
import {
  grpcUsage,
  headerList,
  providerRetryAfterMs,
  readLimited,
  targetOf,
  timeoutOf,
  toUpstreamError,
  upstreamFailureGrpcError,
  traceStream,
  traceUnary,
  UpstreamAttempt,
  UpstreamSpan,
  UpstreamCallError,
  UpstreamClient,
  type UpstreamResponse,
} from '@ai-gateway/provider-http';
import { providerGrpcError } from '@ai-gateway/service-kit';
import { UPSTREAM_CLIENT } from './adapter.constants';
import { badUpstreamResponseGrpcError, embeddingsUnsupportedGrpcError } from './adapter.errors';
import { flatHeaders } from './adapter.mapping';
import { toUpstreamRequest } from './adapter.request';

const translator = anthropicChatTranslator;

@Controller()
@ProviderAdapterServiceControllerMethods()
export class AnthropicAdapterController implements ProviderAdapterServiceController {
  constructor(@Inject(UPSTREAM_CLIENT) private readonly upstream: UpstreamClient) {}

  async chat(request: AdapterRequest, metadata?: Metadata, call?: ServerUnaryCall<unknown, unknown>): Promise<AdapterResponse> {
    return traceUnary(new UpstreamSpan('chat', request.target, metadata), () => this.unaryChat(request, call));
  }

  private async unaryChat(request: AdapterRequest, call?: ServerUnaryCall<unknown, unknown>): Promise<AdapterResponse> {
    const target = targetOf(request);
    const attempt = new UpstreamAttempt(timeoutOf(request), call);
    try {
      const response = await this.send(request, target, false, attempt.signal);
      const rateLimits = translator.rateLimitHeaders(flatHeaders(response.headers));
      const completion = await readCompletion(response, target);
      return {
        body: Buffer.from(JSON.stringify(completion)),
        usage: completion.usage ? grpcUsage(completion.usage) : undefined,
        hasUsage: completion.usage !== undefined,
        responseModel: completion.model,
        headers: headerList(rateLimits),
      };
    } catch (error) {
      throw new RpcException(toGrpcError(target.providerId, error, attempt.signal));
    } finally {
      attempt.done();
    }
  }

  async embeddings(request: AdapterRequest): Promise<AdapterResponse> {
    throw new RpcException(embeddingsUnsupportedGrpcError(request.target?.providerId ?? ''));
  }

  chatStream(request: AdapterRequest, metadata?: Metadata): Observable<AdapterStreamEvent> {
    return traceStream(
      new UpstreamSpan('chat', request.target, metadata),
      new Observable<AdapterStreamEvent>((subscriber) => {
      const attempt = new UpstreamAttempt(timeoutOf(request));
      this.relayStream(request, subscriber, attempt)
        .catch((error: unknown) => subscriber.error(new RpcException(toGrpcError(request.target?.providerId ?? '', error, attempt.signal))))
        .finally(() => attempt.done());
      return () => {
        attempt.done();
        attempt.cancel();
      };
    }),
    );
  }

  private async relayStream(request: AdapterRequest, subscriber: Subscriber<AdapterStreamEvent>, attempt: UpstreamAttempt): Promise<void> {
    const target = targetOf(request);
    const response = await this.send(request, target, true, attempt.signal);
    attempt.answered();
    subscriber.next({ start: { headers: headerList(translator.rateLimitHeaders(flatHeaders(response.headers))) } });
    const parser = translator.streamParser({ includeUsage: request.includeUsage, model: target.model });
    let modelSent = false;
    /** False once the stream failed (the subscriber has its error). */
    const emit = (outputs: ChatStreamOutput[]): boolean => {
      for (const output of outputs) {
        if (output.kind === 'error') {
          subscriber.error(new RpcException(providerGrpcError(target.providerId, output.error)));
          return false;
        }
        subscriber.next({ chunk: Buffer.from(JSON.stringify(output.chunk)) });
        const model = parser.responseModel;
        if (!modelSent && model) {
          modelSent = true;
          subscriber.next({ responseModel: model });
        }
      }
      return true;
    };
    for await (const piece of response.body) {
      if (subscriber.closed || !emit(parser.feed(piece as Buffer))) return;
    }
    if (!emit(parser.finish())) return;
    const usage = parser.usage;
    if (usage) subscriber.next({ usage: grpcUsage(usage) });
    subscriber.complete();
  }

  /** POSTs the translated request; a non-2xx answer becomes the provider's error as an RpcException. */
  private async send(request: AdapterRequest, target: ProviderTarget, stream: boolean, signal: AbortSignal): Promise<UpstreamResponse> {
    const upstreamRequest = toUpstreamRequest(request, target, stream);
    const url = `${target.baseUrl.replace(/\/+$/, '')}${upstreamRequest.path}`;
    const response = await this.upstream.post(url, upstreamRequest.headers, upstreamRequest.body, timeoutOf(request), signal);
    if (response.status >= 200 && response.status < 300) return response;
    const text = await readLimited(response);
    const headers = flatHeaders(response.headers);
    const error = translator.error(response.status, text, headers);
    throw new RpcException(
      providerGrpcError(target.providerId, error, { headers: translator.rateLimitHeaders(headers), retryAfterMs: providerRetryAfterMs(headers) }),
    );
  }
}

async function readCompletion(response: UpstreamResponse, target: ProviderTarget): Promise<ChatCompletion> {
  const text = await response.body.text();
  try {
    return translator.response(JSON.parse(text) as unknown, { model: target.model, maxOutputTokens: target.maxOutputTokens });
  } catch {
    throw new RpcException(badUpstreamResponseGrpcError(target.providerId, response.status));
  }
}

/** A stream must fail with an RpcException too: Nest turns any other error into UNKNOWN "Internal server error". */
function toGrpcError(providerId: string, error: unknown, signal: AbortSignal): object {
  if (error instanceof RpcException) return error.getError() as object;
  const upstream = error instanceof UpstreamCallError ? error : toUpstreamError(error, signal);
  return upstreamFailureGrpcError(providerId, upstream.failure);
}
