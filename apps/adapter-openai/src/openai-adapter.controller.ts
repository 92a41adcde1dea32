import { Controller, Inject, Logger } from '@nestjs/common';
import { RpcException } from '@nestjs/microservices';
import type { Metadata, ServerUnaryCall, ServerWritableStream } from '@grpc/grpc-js';
import { Observable, type Subscriber } from 'rxjs';
import { attemptScrubber } from '@ai-gateway/logging';
import type { CompletionUsage } from '@ai-gateway/openai-api';
import {
  ProviderAdapterServiceControllerMethods,
  type AdapterRequest,
  type AdapterResponse,
  type AdapterStreamEvent,
  type ProviderAdapterServiceController,
  type ProviderTarget,
} from '@ai-gateway/proto';
import {
  OpenAiStreamParser,
  openAiProviderError,
  openAiRateLimitHeaders,
  openAiRequestHeaders,
  openAiUpstreamBody,
  type UpstreamBody,
} from '@ai-gateway/providers-openai';
import {
  adapterGrpcError,
  clientRequestGrpcError,
  grpcUsage,
  headerList,
  limitsOf,
  providerAnswerGrpcError,
  providerRetryAfterMs,
  ProviderAnswerError,
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
export class OpenAiAdapterController implements ProviderAdapterServiceController {
  private readonly logger = new Logger('adapter-openai');

  constructor(@Inject(UPSTREAM_CLIENT) private readonly upstream: UpstreamClient) {}

  async chat(request: AdapterRequest, metadata?: Metadata, call?: ServerUnaryCall<unknown, unknown>): Promise<AdapterResponse> {
    return traceUnary(new UpstreamSpan('chat', request.target, metadata), () => this.unary(request, '/chat/completions', call));
  }

  async embeddings(request: AdapterRequest, metadata?: Metadata, call?: ServerUnaryCall<unknown, unknown>): Promise<AdapterResponse> {
    return traceUnary(new UpstreamSpan('embeddings', request.target, metadata), () => this.unary(request, '/embeddings', call));
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
    const { body, usageForced } = this.upstreamBody(request, target, true);
    const response = await this.upstream.post(`${target.baseUrl}/chat/completions`, openAiRequestHeaders(target.apiKey), body, attempt.limits, attempt.signal);
    await this.throwIfFailed(state, response);
    state.answered = true;
    attempt.answered(true);
    subscriber.next({ start: { headers: headerList(openAiRateLimitHeaders(response.headers)) } });
    const parser = new OpenAiStreamParser({ usageForced });
    /** False once the stream failed. */
    const relay = (outputs: ReturnType<OpenAiStreamParser['feed']>): boolean => {
      for (const output of outputs) {
        switch (output.kind) {
          case 'chunk':
            if (output.content) attempt.firstToken();
            state.chunks = (state.chunks ?? 0) + 1;
            subscriber.next({ chunk: Buffer.from(output.data) });
            break;
          case 'model':
            subscriber.next({ responseModel: output.model });
            break;
          case 'usage':
            subscriber.next({ usage: grpcUsage(output.usage) });
            break;
          case 'error':
            subscriber.error(
              new RpcException(
                output.cause === 'provider_error'
                  ? providerAnswerGrpcError(target.providerId, output.error, state.scrub)
                  : this.failureOf(new ProviderAnswerError(output.cause, output.error.message), state),
              ),
            );
            return false;
        }
      }
      return true;
    };
    try {
      for await (const piece of response.body) {
        if (subscriber.closed) return;
        attempt.progress();
        if (!relay(parser.feed(piece as Buffer))) {
          response.body.destroy();
          return;
        }
        // Backpressure: read the provider's next piece only once the router can take more.
        const writable = whenWritable(call, attempt.signal);
        if (writable) await attempt.holdFor(writable);
      }
    } catch (error) {
      // A transport error once every choice finished loses nothing: the answer is whole.
      if (!parser.complete || attempt.signal.aborted) throw error;
    }
    if (!relay(parser.finish())) return;
    subscriber.complete();
  }

  private async unary(request: AdapterRequest, path: string, call?: ServerUnaryCall<unknown, unknown>): Promise<AdapterResponse> {
    const target = targetOf(request);
    const state: AttemptState = { target, attempt: new UpstreamAttempt(limitsOf(request), call), scrub: attemptScrubber(target.apiKey), answered: false };
    try {
      const { body } = this.upstreamBody(request, target, false);
      const response = await this.upstream.post(`${target.baseUrl}${path}`, openAiRequestHeaders(target.apiKey), body, state.attempt.limits, state.attempt.signal);
      await this.throwIfFailed(state, response);
      state.answered = true;
      state.attempt.answered(false);
      const bytes = await readBounded(response, this.upstream.maxResponseBytes, state.attempt);
      const answer = parseAnswer(bytes);
      return {
        body: bytes,
        usage: answer.usage ? grpcUsage(answer.usage) : undefined,
        hasUsage: answer.usage !== undefined,
        responseModel: typeof answer.model === 'string' && answer.model !== '' ? answer.model : target.model,
        headers: headerList(openAiRateLimitHeaders(response.headers)),
      };
    } catch (error) {
      throw new RpcException(this.failureOf(error, state));
    } finally {
      state.attempt.done();
    }
  }

  /** The provider's body for the client's; anything that fails here is the client's request. */
  private upstreamBody(request: AdapterRequest, target: ProviderTarget, stream: boolean): UpstreamBody {
    try {
      return openAiUpstreamBody({
        raw: request.body,
        clientModel: request.clientModel,
        targetModel: target.model,
        stream,
        includeUsage: stream && request.includeUsage,
      });
    } catch (error) {
      throw new RpcException(clientRequestGrpcError(target.providerId, error, this.logUnexpected));
    }
  }

  /** A non-2xx answer as the provider's error: its text scrubbed of the attempt's key and cut. */
  private async throwIfFailed(state: AttemptState, response: UpstreamResponse): Promise<void> {
    if (response.status < 400) return;
    const text = await readLimited(response);
    const headers = openAiRateLimitHeaders(response.headers);
    throw new RpcException(
      providerAnswerGrpcError(state.target.providerId, openAiProviderError(response.status, text), state.scrub, {
        headers,
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

/** The provider's 2xx answer must be a JSON object; anything else is malformed. */
function parseAnswer(bytes: Buffer): { model?: unknown; usage?: Partial<CompletionUsage> } {
  let answer: unknown;
  try {
    answer = JSON.parse(bytes.toString('utf8'));
  } catch {
    throw new ProviderAnswerError('malformed', 'the answer is not valid JSON');
  }
  if (typeof answer !== 'object' || answer === null || Array.isArray(answer)) {
    throw new ProviderAnswerError('malformed', 'the answer is not a JSON object');
  }
  const { model, usage } = answer as { model?: unknown; usage?: unknown };
  return { model, usage: typeof usage === 'object' && usage !== null ? (usage as Partial<CompletionUsage>) : undefined };
}
