import { secretScrubber } from '@ai-gateway/logging';
import type { ChatCompletionChunk, ChatStreamOutput } from '@ai-gateway/openai-api';
import type { AdapterRequest, AdapterResponse, ProviderTarget } from '@ai-gateway/proto';
import {
  grpcUsage,
  ProviderAnswerError,
  ProviderAttempt,
  readLimited,
  type AdapterCall,
  type AdapterStreamSink,
  type LogUnexpected,
  type ProviderAdapter,
  type ProviderErrorReader,
  type UpstreamClient,
  type UpstreamResponse,
} from '@ai-gateway/provider-http';
import { authHeaders, credentialGrpcError, misconfiguredGrpcError, type GeminiAuth } from './gemini-credentials';
import { EndpointConfigError, geminiUrl, type GeminiMethod } from './gemini-endpoint';
import { geminiHttpError } from './gemini-errors';
import { geminiKindOf, geminiSettingsOf } from './gemini-settings';
import { GeminiStreamParser } from './gemini-stream.parser';
import { toOpenAiChatCompletion } from './gemini-to-openai.response';
import { fromBatchEmbedContents, fromVertexPredict, readEmbeddingsRequest, toBatchEmbedContentsRequest, toVertexPredictRequest } from './openai-to-gemini.embeddings';
import { toGeminiGenerateContentRequest } from './openai-to-gemini.request';
import { VertexTokenCache, type TokenExchange } from './vertex-token.cache';

/**
 * Google Gemini (AI Studio, kind `gemini`) and Vertex AI (kind `vertex`) behind the one adapter
 * interface: OpenAI chat completions and embeddings translated to generateContent,
 * streamGenerateContent (SSE) and batchEmbedContents / predict, over one keep-alive pool.
 */
export class GeminiAdapter implements ProviderAdapter {
  readonly kinds = ['gemini', 'vertex'] as const;
  private readonly tokens: VertexTokenCache;

  constructor(
    private readonly upstream: UpstreamClient,
    private readonly logUnexpected: LogUnexpected,
  ) {
    this.tokens = new VertexTokenCache(this.tokenExchange, secretScrubber, Date.now, logUnexpected);
  }

  chat(request: AdapterRequest, call: AdapterCall): Promise<AdapterResponse> {
    return ProviderAttempt.unary('chat', request, call, this.logUnexpected, async (attempt) => {
      const body = attempt.translate(() => toGeminiGenerateContentRequest(parseBody(request), translationTarget(attempt.target)));
      const response = await this.send(attempt, 'generateContent', body);
      const completion = readAnswer(await attempt.readBody(response, this.upstream.maxResponseBytes), (json) => toOpenAiChatCompletion(json, translationTarget(attempt.target)));
      const usage = completion.usage ? grpcUsage(completion.usage) : undefined;
      return { body: Buffer.from(JSON.stringify(completion)), usage, hasUsage: usage !== undefined, responseModel: completion.model, headers: [] };
    });
  }

  embeddings(request: AdapterRequest, call: AdapterCall): Promise<AdapterResponse> {
    return ProviderAttempt.unary('embeddings', request, call, this.logUnexpected, async (attempt) => {
      const { model } = attempt.target;
      const vertex = geminiKindOf(attempt.target) === 'vertex';
      const { input, body } = attempt.translate(() => {
        const read = readEmbeddingsRequest(parseBody(request));
        return { input: read, body: vertex ? toVertexPredictRequest(read, model) : toBatchEmbedContentsRequest(read, model) };
      });
      const response = await this.send(attempt, vertex ? 'predict' : 'batchEmbedContents', body);
      const list = readAnswer(await attempt.readBody(response, this.upstream.maxResponseBytes), (json) =>
        vertex ? fromVertexPredict(json, input, model) : fromBatchEmbedContents(json, input, model),
      );
      const usage = grpcUsage(list.usage);
      return { body: Buffer.from(JSON.stringify(list)), usage, hasUsage: true, responseModel: model, headers: [] };
    });
  }

  chatStream(request: AdapterRequest, sink: AdapterStreamSink, call: AdapterCall): Promise<void> {
    return ProviderAttempt.stream(request, sink, call, this.logUnexpected, async (attempt, out) => {
      const body = attempt.translate(() => toGeminiGenerateContentRequest(parseBody(request), translationTarget(attempt.target)));
      const response = await this.send(attempt, 'streamGenerateContent', body);
      out.push({ start: { headers: [] } });
      const parser = new GeminiStreamParser({ includeUsage: request.includeUsage, model: attempt.target.model });
      let modelSent = false;
      const emit = (outputs: ChatStreamOutput[]) => {
        for (const output of outputs) {
          if (output.kind === 'error') return attempt.streamFailure(output, parser.retryAfterMs);
          attempt.chunk(carriesContent(output.chunk));
          out.push({ chunk: Buffer.from(JSON.stringify(output.chunk)) });
          if (!modelSent && parser.responseModel) {
            modelSent = true;
            out.push({ responseModel: parser.responseModel });
          }
        }
        return undefined;
      };
      await attempt.relay(response, out, {
        feed: (piece) => emit(parser.feed(piece)),
        finish: () => {
          const failure = emit(parser.finish());
          if (failure) return failure;
          if (parser.usage) out.push({ usage: grpcUsage(parser.usage) });
          return undefined;
        },
        get complete() {
          return parser.complete;
        },
      });
    });
  }

  async close(): Promise<void> {
    this.tokens.clear();
    await this.upstream.close();
  }

  /**
   * POSTs to the method's URL with the kind's credential (the API key, or a Vertex access token
   * minted within the attempt's time limits); a non-2xx answer rejects as Gemini's error.
   */
  private async send(attempt: ProviderAttempt, method: GeminiMethod, body: object): Promise<UpstreamResponse> {
    const { target } = attempt;
    const kind = geminiKindOf(target);
    const settings = geminiSettingsOf(target);
    let url: string;
    try {
      url = geminiUrl(kind, target.baseUrl, target.model, method, settings);
    } catch (error) {
      if (error instanceof EndpointConfigError) throw misconfiguredGrpcError(target.providerId, error.message);
      throw error;
    }
    let auth: GeminiAuth;
    try {
      auth = await authHeaders(kind, target, this.tokens, attempt.signal);
    } catch (error) {
      throw credentialGrpcError(target.providerId, error) ?? error;
    }
    const errorOf: ProviderErrorReader = (status, text, headers) => {
      // Google refused a Vertex token it accepted before (revoked, expired early): mint a new one next time.
      if (status === 401 && auth.bearerToken !== undefined) this.tokens.invalidate(target.apiKey, auth.bearerToken);
      return providerError(status, text, headers);
    };
    return attempt.send(this.upstream, url, { ...settings.headers, ...auth.headers, 'content-type': 'application/json' }, JSON.stringify(body), errorOf);
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
}

const providerError: ProviderErrorReader = (status, text) => {
  const { error, retryAfterMs } = geminiHttpError(status, text);
  return { error, retryAfterMs };
};

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
