import { Controller, Inject, Logger } from '@nestjs/common';
import { RpcException } from '@nestjs/microservices';
import type { Metadata, ServerUnaryCall, ServerWritableStream } from '@grpc/grpc-js';
import { Observable, type Subscriber } from 'rxjs';
import { attemptScrubber } from '@ai-gateway/logging';
import type { ChatCompletion, ChatCompletionChunk, ChatStreamOutput } from '@ai-gateway/openai-api';
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
  adapterGrpcError,
  grpcUsage,
  headerList,
  limitsOf,
  providerAnswerGrpcError,
  ProviderAnswerError,
  providerRetryAfterMs,
  readBounded,
  readLimited,
  targetOf,
  traceStream,
  traceUnary,
  UpstreamAttempt,
  UpstreamSpan,
  UpstreamClient,
  whenWritable,
  type FailureContext,
  type UpstreamResponse,
} from '@ai-gateway/provider-http';
import { UPSTREAM_CLIENT } from './adapter.constants';
import { embeddingsUnsupportedGrpcError } from './adapter.errors';
import { flatHeaders } from './adapter.mapping';
import { toUpstreamRequest } from './adapter.request';

const translator = anthropicChatTranslator;

/** One attempt's state the failure classification reads. */
interface AttemptState {
  target: ProviderTarget;
  attempt: UpstreamAttempt;
  scrub: (text: string) => string;
  answered: boolean;
  chunks?: number;
}

@Controller()
@ProviderAdapterServiceControllerMethods()
export class AnthropicAdapterController implements ProviderAdapterServiceController {
  private readonly logger = new Logger('adapter-anthropic');

  constructor(@Inject(UPSTREAM_CLIENT) private readonly upstream: UpstreamClient) {}

  async chat(request: AdapterRequest, metadata?: Metadata, call?: ServerUnaryCall<unknown, unknown>): Promise<AdapterResponse> {
    return traceUnary(new UpstreamSpan('chat', request.target, metadata), () => this.unaryChat(request, call));
  }

  private async unaryChat(request: AdapterRequest, call?: ServerUnaryCall<unknown, unknown>): Promise<AdapterResponse> {
    const target = targetOf(request);
    const state: AttemptState = { target, attempt: new UpstreamAttempt(limitsOf(request), call), scrub: attemptScrubber(target.apiKey), answered: false };
    try {
      const response = await this.send(request, state, false);
      state.answered = true;
      state.attempt.answered(false);
      const rateLimits = translator.rateLimitHeaders(flatHeaders(response.headers));
      const completion = readCompletion(await readBounded(response, this.upstream.maxResponseBytes, state.attempt), target);
      return {
        body: Buffer.from(JSON.stringify(completion)),
        usage: completion.usage ? grpcUsage(completion.usage) : undefined,
        hasUsage: completion.usage !== undefined,
        responseModel: completion.model,
        headers: headerList(rateLimits),
      };
    } catch (error) {
      throw new RpcException(this.failureOf(error, state));
    } finally {
      state.attempt.done();
    }
  }

  async embeddings(request: AdapterRequest): Promise<AdapterResponse> {
    throw new RpcException(embeddingsUnsupportedGrpcError(request.target?.providerId ?? ''));
  }

  chatStream(request: AdapterRequest, metadata?: Metadata, call?: ServerWritableStream<unknown, unknown>): Observable<AdapterStreamEvent> {
    return traceStream(
      new UpstreamSpan('chat', request.target, metadata),
      new Observable<AdapterStreamEvent>((subscriber) => {
        const target = targetOf(request);
        const state: AttemptState = { target, attempt: new UpstreamAttempt(limitsOf(request)), scrub: attemptScrubber(target.apiKey), answered: false, chunks: 0 };
        this.relayStream(request, state, subscriber, call)
          .catch((error: unknown) => subscriber.error(new RpcException(this.failureOf(error, state))))
          .finally(() => state.attempt.done());
        return () => {
          state.attempt.done();
          state.attempt.cancel();
        };
      }),
    );
  }

  private async relayStream(
    request: AdapterRequest,
    state: AttemptState,
    subscriber: Subscriber<AdapterStreamEvent>,
    call?: ServerWritableStream<unknown, unknown>,
  ): Promise<void> {
    const { target, attempt } = state;
    const response = await this.send(request, state, true);
    state.answered = true;
    attempt.answered(true);
    subscriber.next({ start: { headers: headerList(translator.rateLimitHeaders(flatHeaders(response.headers))) } });
    const parser = translator.streamParser({ includeUsage: request.includeUsage, model: target.model });
    let modelSent = false;
    /** False once the stream failed (the subscriber has its error). */
    const emit = (outputs: ChatStreamOutput[]): boolean => {
      for (const output of outputs) {
        if (output.kind === 'error') {
          subscriber.error(
            new RpcException(
              output.cause === 'provider_error'
                ? providerAnswerGrpcError(target.providerId, output.error, state.scrub)
                : this.failureOf(new ProviderAnswerError(output.cause, output.error.message), state),
            ),
          );
          return false;
        }
        if (carriesContent(output.chunk)) attempt.firstToken();
        state.chunks = (state.chunks ?? 0) + 1;
        subscriber.next({ chunk: Buffer.from(JSON.stringify(output.chunk)) });
        const model = parser.responseModel;
        if (!modelSent && model) {
          modelSent = true;
          subscriber.next({ responseModel: model });
        }
      }
      return true;
    };
    try {
      for await (const piece of response.body) {
        if (subscriber.closed) return;
        attempt.progress();
        if (!emit(parser.feed(piece as Buffer))) {
          response.body.destroy();
          return;
        }
        // Backpressure: read the provider's next piece only once the router can take more.
        const writable = whenWritable(call, attempt.signal);
        if (writable) await attempt.holdFor(writable);
      }
    } catch (error) {
      // A transport error after the stop reason loses nothing: the answer is whole.
      if (!parser.complete || attempt.signal.aborted) throw error;
    }
    if (!emit(parser.finish())) return;
    const usage = parser.usage;
    if (usage) subscriber.next({ usage: grpcUsage(usage) });
    subscriber.complete();
  }

  /** POSTs the translated request; a non-2xx answer becomes the provider's error (scrubbed, cut) as an RpcException. */
  private async send(request: AdapterRequest, state: AttemptState, stream: boolean): Promise<UpstreamResponse> {
    const { target, attempt } = state;
    const upstreamRequest = toUpstreamRequest(request, target, stream, this.logUnexpected);
    const url = `${target.baseUrl.replace(/\/+$/, '')}${upstreamRequest.path}`;
    const response = await this.upstream.post(url, upstreamRequest.headers, upstreamRequest.body, attempt.limits, attempt.signal);
    if (response.status >= 200 && response.status < 300) return response;
    const text = await readLimited(response);
    const headers = flatHeaders(response.headers);
    const error = translator.error(response.status, text, headers);
    throw new RpcException(
      providerAnswerGrpcError(target.providerId, error, state.scrub, {
        headers: translator.rateLimitHeaders(headers),
        retryAfterMs: providerRetryAfterMs(headers),
      }),
    );
  }

  private failureOf(error: unknown, state: AttemptState): object {
    const context: FailureContext = {
      providerId: state.target.providerId,
      signal: state.attempt.signal,
      limits: state.attempt.limits,
      answered: state.answered,
      chunks: state.chunks,
      scrub: state.scrub,
      logUnexpected: this.logUnexpected,
    };
    return adapterGrpcError(error, context);
  }

  private readonly logUnexpected = (message: string, detail: Record<string, unknown>): void => {
    // Nest's logger takes text; the service's pino logger scrubs it again on the way out.
    this.logger.warn(`${message}: ${JSON.stringify(detail)}`);
  };
}

/** Anthropic's 2xx answer as an OpenAI completion; unreadable JSON or shape is a malformed answer. */
function readCompletion(bytes: Buffer, target: ProviderTarget): ChatCompletion {
  let body: unknown;
  try {
    body = JSON.parse(bytes.toString('utf8'));
  } catch {
    throw new ProviderAnswerError('malformed', 'the answer is not valid JSON');
  }
  try {
    return translator.response(body, { model: target.model, maxOutputTokens: target.maxOutputTokens });
  } catch {
    throw new ProviderAnswerError('malformed', 'the answer is not an Anthropic message');
  }
}

/** A chunk with text, a tool call or a finish reason: the stream's first token, for the first-token limit. */
function carriesContent(chunk: ChatCompletionChunk): boolean {
  return chunk.choices.some(
    (choice) => choice.finish_reason != null || (typeof choice.delta.content === 'string' && choice.delta.content !== '') || (choice.delta.tool_calls?.length ?? 0) > 0,
  );
}
