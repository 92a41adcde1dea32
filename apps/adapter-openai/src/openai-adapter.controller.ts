import { Controller, Inject } from '@nestjs/common';
import { RpcException } from '@nestjs/microservices';
import type { Metadata, ServerUnaryCall } from '@grpc/grpc-js';
import { Observable } from 'rxjs';
import type { CompletionUsage } from '@ai-gateway/openai-api';
import { SseEventDecoder } from '@ai-gateway/sse';
import {
  ProviderAdapterServiceControllerMethods,
  type AdapterRequest,
  type AdapterResponse,
  type AdapterStreamEvent,
  type ProviderAdapterServiceController,
} from '@ai-gateway/proto';
import {
  openAiProviderError,
  openAiRateLimitHeaders,
  openAiRequestHeaders,
  openAiUpstreamBody,
  streamErrorOf,
} from '@ai-gateway/providers-openai';
import { gatewayGrpcError, GrpcStatus, providerGrpcError } from '@ai-gateway/service-kit';
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
import { UPSTREAM_CLIENT } from './adapter.constants';

@Controller()
@ProviderAdapterServiceControllerMethods()
export class OpenAiAdapterController implements ProviderAdapterServiceController {
  constructor(@Inject(UPSTREAM_CLIENT) private readonly upstream: UpstreamClient) {}

  async chat(request: AdapterRequest, metadata?: Metadata, call?: ServerUnaryCall<unknown, unknown>): Promise<AdapterResponse> {
    return traceUnary(new UpstreamSpan('chat', request.target, metadata), () => this.unary(request, '/chat/completions', call));
  }

  async embeddings(request: AdapterRequest, metadata?: Metadata, call?: ServerUnaryCall<unknown, unknown>): Promise<AdapterResponse> {
    return traceUnary(new UpstreamSpan('embeddings', request.target, metadata), () => this.unary(request, '/embeddings', call));
  }

  chatStream(request: AdapterRequest, metadata?: Metadata): Observable<AdapterStreamEvent> {
    return traceStream(new UpstreamSpan('chat', request.target, metadata), this.relayStream(request));
  }

  private relayStream(request: AdapterRequest): Observable<AdapterStreamEvent> {
    return new Observable<AdapterStreamEvent>((subscriber) => {
      const attempt = new UpstreamAttempt(timeoutOf(request));
      const target = targetOf(request);
      void (async () => {
        const { body, usageForced } = openAiUpstreamBody({
          raw: request.body,
          clientModel: request.clientModel,
          targetModel: target.model,
          stream: true,
          includeUsage: request.includeUsage,
        });
        const response = await this.upstream.post(
          `${target.baseUrl}/chat/completions`,
          openAiRequestHeaders(target.apiKey),
          body,
          timeoutOf(request),
          attempt.signal,
        );
        await this.throwIfFailed(target.providerId, response);
        attempt.answered();
        subscriber.next({ start: { headers: headerList(openAiRateLimitHeaders(response.headers)) } });
        const decoder = new SseEventDecoder();
        let done = false;
        let modelSent = false;
        const handle = (data: string): void => {
          if (data === '[DONE]') {
            done = true;
            return;
          }
          const error = streamErrorOf(data);
          if (error) throw new RpcException(providerGrpcError(target.providerId, error));
          if (!modelSent) {
            modelSent = true;
            const model = (JSON.parse(data) as { model?: string }).model;
            if (model) subscriber.next({ responseModel: model });
          }
          if (data.includes('"choices":[]') && data.includes('"usage":{')) {
            const usage = (JSON.parse(data) as { usage?: Partial<CompletionUsage> }).usage;
            if (usage) subscriber.next({ usage: grpcUsage(usage) });
            if (usageForced) return;
          }
          subscriber.next({ chunk: Buffer.from(data) });
        };
        for await (const piece of response.body) {
          for (const event of decoder.decode(piece as Buffer)) handle(event.data);
        }
        for (const event of decoder.end()) handle(event.data);
        if (!done) {
          throw new RpcException(
            gatewayGrpcError(GrpcStatus.UNAVAILABLE, `provider ${target.providerId} ended the stream before [DONE]`, {
              provider: target.providerId,
              retryable: true,
              openaiErrorType: 'api_error',
            }),
          );
        }
        subscriber.complete();
      })()
        .catch((error: unknown) => subscriber.error(new RpcException(this.toGrpcError(target.providerId, error, attempt.signal))))
        .finally(() => attempt.done());
      return () => {
        attempt.done();
        attempt.cancel();
      };
    });
  }

  private async unary(request: AdapterRequest, path: string, call?: ServerUnaryCall<unknown, unknown>): Promise<AdapterResponse> {
    const target = targetOf(request);
    const attempt = new UpstreamAttempt(timeoutOf(request), call);
    try {
      const { body } = openAiUpstreamBody({ raw: request.body, clientModel: request.clientModel, targetModel: target.model, stream: false, includeUsage: false });
      const response = await this.upstream.post(`${target.baseUrl}${path}`, openAiRequestHeaders(target.apiKey), body, timeoutOf(request), attempt.signal);
      await this.throwIfFailed(target.providerId, response);
      const bytes = Buffer.from(await response.body.arrayBuffer());
      const answer = JSON.parse(bytes.toString('utf8')) as { model?: string; usage?: Partial<CompletionUsage> };
      return {
        body: bytes,
        usage: answer.usage ? grpcUsage(answer.usage) : undefined,
        hasUsage: answer.usage !== undefined,
        responseModel: answer.model ?? target.model,
        headers: headerList(openAiRateLimitHeaders(response.headers)),
      };
    } catch (error) {
      throw new RpcException(this.toGrpcError(target.providerId, error, attempt.signal));
    } finally {
      attempt.done();
    }
  }

  private async throwIfFailed(providerId: string, response: UpstreamResponse): Promise<void> {
    if (response.status < 400) return;
    const text = await readLimited(response);
    const headers = openAiRateLimitHeaders(response.headers);
    throw new RpcException(providerGrpcError(providerId, openAiProviderError(response.status, text), { headers, retryAfterMs: providerRetryAfterMs(headers) }));
  }

  private toGrpcError(providerId: string, error: unknown, signal: AbortSignal): object {
    if (error instanceof RpcException) return error.getError() as object;
    const upstream = error instanceof UpstreamCallError ? error : toUpstreamError(error, signal);
    return upstreamFailureGrpcError(providerId, upstream.failure);
  }
}
