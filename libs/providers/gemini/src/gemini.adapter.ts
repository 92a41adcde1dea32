import { Logger } from '@nestjs/common';
import { attemptScrubber, secretScrubber } from '@ai-gateway/logging';
import type { ChatCompletionChunk, ChatStreamOutput } from '@ai-gateway/openai-api';
import type { AdapterRequest, AdapterResponse, ProviderTarget } from '@ai-gateway/proto';
import { decodeGrpcError } from '@ai-gateway/service-kit';
import {
  adapterGrpcError,
  clientRequestGrpcError,
  grpcUsage,
  limitsOf,
  providerAnswerGrpcError,
  ProviderAnswerError,
  readBounded,
  readLimited,
  targetOf,
  UpstreamAttempt,
  UpstreamClient,
  UpstreamSpan,
  type AdapterCall,
  type AdapterStreamSink,
  type ProviderAdapter,
  type UpstreamResponse,
} from '@ai-gateway/provider-http';
import { authHeaders, credentialGrpcError, misconfiguredGrpcError } from './gemini-credentials';
import { EndpointConfigError, geminiUrl, type GeminiKind, type GeminiMethod } from './gemini-endpoint';
import { geminiHttpError } from './gemini-errors';
import { geminiKindOf, geminiSettingsOf } from './gemini-settings';
import { GeminiStreamParser } from './gemini-stream.parser';
import { toOpenAiChatCompletion } from './gemini-to-openai.response';
import { fromBatchEmbedContents, fromVertexPredict, readEmbeddingsRequest, toBatchEmbedContentsRequest, toVertexPredictRequest } from './openai-to-gemini.embeddings';
import { toGeminiGenerateContentRequest } from './openai-to-gemini.request';
import { VertexTokenCache, type TokenExchange } from './vertex-token.cache';

/** One attempt's state the failure classification reads. */
interface AttemptState {
  target: ProviderTarget;
  kind: GeminiKind;
  attempt: UpstreamAttempt;
  scrub: (text: string) => string;
  answered: boolean;
  chunks?: number;
  /** Detaches the attempt from the caller's signal. */
  release: () => void;
}

/**
 * Google Gemini (AI Studio, kind `gemini`) and Vertex AI (kind `vertex`) behind the one adapter
 * interface: OpenAI chat completions and embeddings translated to generateContent,
 * streamGenerateContent (SSE) and batchEmbedContents / predict, over the shared keep-alive pool.
 */
export class GeminiAdapter implements ProviderAdapter {
  readonly kinds = ['gemini', 'vertex'] as const;
  private readonly logger = new Logger('adapter-gemini');
  private readonly tokens: VertexTokenCache;

  constructor(private readonly upstream: UpstreamClient = new UpstreamClient()) {
    this.tokens = new VertexTokenCache(this.tokenExchange, secretScrubber);
  }

  async chat(request: AdapterRequest, call: AdapterCall): Promise<AdapterResponse> {
    const span = new UpstreamSpan('chat', request.target, call.metadata);
    const state = this.begin(request, call);
    try {
      const body = this.translate(state, () => toGeminiGenerateContentRequest(parseBody(request), translationTarget(state.target)));
      const response = await this.send(state, 'generateContent', body, false);
      const completion = readAnswer(await readBounded(response, this.upstream.maxResponseBytes, state.attempt), (json) =>
        toOpenAiChatCompletion(json, translationTarget(state.target)),
      );
      const usage = completion.usage ? grpcUsage(completion.usage) : undefined;
      span.succeeded(completion.model, usage);
      return { body: Buffer.from(JSON.stringify(completion)), usage, hasUsage: usage !== undefined, responseModel: completion.model, headers: [] };
    } catch (error) {
      throw this.failed(span, error, state);
    } finally {
      state.release();
    }
  }

  async embeddings(request: AdapterRequest, call: AdapterCall): Promise<AdapterResponse> {
    const span = new UpstreamSpan('embeddings', request.target, call.metadata);
    const state = this.begin(request, call);
    try {
      const vertex = state.kind === 'vertex';
      const { input, body } = this.translate(state, () => {
        const read = readEmbeddingsRequest(parseBody(request));
        return { input: read, body: vertex ? toVertexPredictRequest(read, state.target.model) : toBatchEmbedContentsRequest(read, state.target.model) };
      });
      const response = await this.send(state, vertex ? 'predict' : 'batchEmbedContents', body, false);
      const list = readAnswer(await readBounded(response, this.upstream.maxResponseBytes, state.attempt), (json) =>
        vertex ? fromVertexPredict(json, input, state.target.model) : fromBatchEmbedContents(json, input, state.target.model),
      );
      const usage = grpcUsage(list.usage);
      span.succeeded(state.target.model, usage);
      return { body: Buffer.from(JSON.stringify(list)), usage, hasUsage: true, responseModel: state.target.model, headers: [] };
    } catch (error) {
      throw this.failed(span, error, state);
    } finally {
      state.release();
    }
  }

  async chatStream(request: AdapterRequest, sink: AdapterStreamSink, call: AdapterCall): Promise<void> {
    const span = new UpstreamSpan('chat', request.target, call.metadata);
    const state = this.begin(request, call);
    state.chunks = 0;
    try {
      const body = this.translate(state, () => toGeminiGenerateContentRequest(parseBody(request), translationTarget(state.target)));
      const response = await this.send(state, 'streamGenerateContent', body, true);
      const parser = new GeminiStreamParser({ includeUsage: request.includeUsage, model: state.target.model });
      sink.push({ start: { headers: [] } });
      await this.relay(response, parser, state, sink);
      const usage = parser.usage ? grpcUsage(parser.usage) : undefined;
      if (usage) sink.push({ usage });
      span.succeeded(parser.responseModel, usage);
    } catch (error) {
      throw this.failed(span, error, state);
    } finally {
      state.release();
    }
  }

  async close(): Promise<void> {
    this.tokens.clear();
    await this.upstream.close();
  }

  private begin(request: AdapterRequest, call: AdapterCall): AttemptState {
    const target = targetOf(request);
    const attempt = new UpstreamAttempt(limitsOf(request));
    const cancel = (): void => attempt.cancel();
    if (call.signal.aborted) cancel();
    else call.signal.addEventListener('abort', cancel, { once: true });
    const release = (): void => {
      attempt.done();
      call.signal.removeEventListener('abort', cancel);
    };
    return { target, kind: geminiKindOf(target), attempt, scrub: attemptScrubber(target.apiKey), answered: false, release };
  }

  /** Runs a translation; whatever it throws is the client's request (400 naming the field). */
  private translate<T>(state: AttemptState, translation: () => T): T {
    try {
      return translation();
    } catch (error) {
      throw clientRequestGrpcError(state.target.providerId, error, this.logUnexpected);
    }
  }

  /** POSTs to the method's URL; a non-2xx answer becomes Gemini's error (scrubbed, cut, with its retry delay). */
  private async send(state: AttemptState, method: GeminiMethod, body: object, stream: boolean): Promise<UpstreamResponse> {
    const { target, kind, attempt } = state;
    const settings = geminiSettingsOf(target);
    let url: string;
    try {
      url = geminiUrl(kind, target.baseUrl, target.model, method, settings);
    } catch (error) {
      if (error instanceof EndpointConfigError) throw misconfiguredGrpcError(target.providerId, error.message);
      throw error;
    }
    const auth = await authHeaders(kind, target, this.tokens, attempt.signal);
    const headers = { ...settings.headers, ...auth, 'content-type': 'application/json' };
    const response = await this.upstream.post(url, headers, JSON.stringify(body), attempt.limits, attempt.signal);
    state.answered = true;
    attempt.answered(stream);
    if (response.status >= 200 && response.status < 300) return response;
    const failure = geminiHttpError(response.status, await readLimited(response));
    throw providerAnswerGrpcError(target.providerId, failure.error, state.scrub, { retryAfterMs: failure.retryAfterMs });
  }

  private async relay(response: UpstreamResponse, parser: GeminiStreamParser, state: AttemptState, sink: AdapterStreamSink): Promise<void> {
    const { attempt } = state;
    let modelSent = false;
    const emit = (outputs: ChatStreamOutput[]): void => {
      for (const output of outputs) {
        if (output.kind === 'error') {
          response.body.destroy();
          if (output.cause === 'provider_error') throw providerAnswerGrpcError(state.target.providerId, output.error, state.scrub, { retryAfterMs: parser.retryAfterMs });
          throw new ProviderAnswerError(output.cause, output.error.message);
        }
        if (carriesContent(output.chunk)) attempt.firstToken();
        state.chunks = (state.chunks ?? 0) + 1;
        sink.push({ chunk: Buffer.from(JSON.stringify(output.chunk)) });
        if (!modelSent && parser.responseModel) {
          modelSent = true;
          sink.push({ responseModel: parser.responseModel });
        }
      }
    };
    try {
      for await (const piece of response.body) {
        attempt.progress();
        emit(parser.feed(piece as Buffer));
        // Backpressure: read Gemini's next piece only once the consumer can take more.
        const writable = sink.whenWritable(attempt.signal);
        if (writable) await attempt.holdFor(writable);
        if (attempt.signal.aborted) throw attempt.signal.reason;
      }
    } catch (error) {
      // A transport error after the finish reason loses nothing: the answer is whole.
      if (!parser.complete || attempt.signal.aborted || !isTransportFailure(error)) throw error;
    }
    emit(parser.finish());
  }

  /** The failure as the GatewayGrpcErrorShape the router reads; the span records it. */
  private failed(span: UpstreamSpan, error: unknown, state: AttemptState): object {
    const shape = credentialGrpcError(state.target.providerId, error) ?? this.classify(error, state);
    span.failed(decodeGrpcError(shape).detail?.openaiErrorType || 'error');
    return shape;
  }

  private classify(error: unknown, state: AttemptState): object {
    if (isGrpcErrorShape(error)) return error;
    return adapterGrpcError(error, {
      providerId: state.target.providerId,
      signal: state.attempt.signal,
      limits: state.attempt.limits,
      answered: state.answered,
      chunks: state.chunks,
      scrub: state.scrub,
      logUnexpected: this.logUnexpected,
    });
  }

  /** Token endpoint calls go through the same pool, bounded like every provider answer. */
  private readonly tokenExchange: TokenExchange = async (tokenUri, form, timeoutMs) => {
    const limits = { headersMs: timeoutMs, firstTokenMs: timeoutMs, idleMs: timeoutMs, deadlineUnixMs: 0 };
    // The reason says "timeout", so a slow token endpoint reads as one, never as the client leaving.
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort({ kind: 'timeout', phase: 'headers', limitMs: timeoutMs }), timeoutMs);
    try {
      const response = await this.upstream.post(tokenUri, { 'content-type': 'application/x-www-form-urlencoded' }, form, limits, controller.signal);
      return { status: response.status, text: await readLimited(response) };
    } finally {
      clearTimeout(timer);
    }
  };

  private readonly logUnexpected = (message: string, detail: Record<string, unknown>): void => {
    // Nest's logger takes text; the service's pino logger scrubs it again on the way out.
    this.logger.warn(`${message}: ${JSON.stringify(detail)}`);
  };
}

function translationTarget(target: ProviderTarget): { model: string; maxOutputTokens: number } {
  return { model: target.model, maxOutputTokens: target.maxOutputTokens };
}

function parseBody(request: AdapterRequest): unknown {
  return JSON.parse(Buffer.from(request.body).toString('utf8'));
}

/** A 2xx body read as JSON and translated; anything unreadable is a malformed answer. */
function readAnswer<T>(bytes: Buffer, translate: (json: unknown) => T): T {
  let json: unknown;
  try {
    json = JSON.parse(bytes.toString('utf8'));
  } catch {
    throw new ProviderAnswerError('malformed', 'the answer is not valid JSON');
  }
  try {
    return translate(json);
  } catch {
    throw new ProviderAnswerError('malformed', 'the answer is not a Gemini answer of the expected shape');
  }
}

/** A chunk with text, a tool call or a finish reason: the stream's first token, for the first-token limit. */
function carriesContent(chunk: ChatCompletionChunk): boolean {
  return chunk.choices.some(
    (choice) => choice.finish_reason != null || (typeof choice.delta.content === 'string' && choice.delta.content !== '') || (choice.delta.tool_calls?.length ?? 0) > 0,
  );
}

function isGrpcErrorShape(error: unknown): error is object {
  return typeof error === 'object' && error !== null && typeof (error as { code?: unknown }).code === 'number' && 'metadata' in error;
}

function isTransportFailure(error: unknown): boolean {
  return error instanceof Error && !(error instanceof ProviderAnswerError) && !isGrpcErrorShape(error);
}
