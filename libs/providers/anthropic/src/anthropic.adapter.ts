import type { ChatCompletion, ChatCompletionChunk, ChatStreamOutput } from '@ai-gateway/openai-api';
import { RequestFormat, type AdapterRequest, type AdapterResponse, type ProviderTarget } from '@ai-gateway/proto';
import {
  grpcUsage,
  headerList,
  flatHeaders,
  ProviderAnswerError,
  ProviderAttempt,
  type AdapterCall,
  type AdapterStreamSink,
  type LogUnexpected,
  type ProviderAdapter,
  type ProviderErrorReader,
  type UpstreamClient,
} from '@ai-gateway/provider-http';
import { anthropicChatTranslator as translator } from './anthropic.translator';
import { embeddingsUnsupportedError, toAnthropicHttpRequest } from './anthropic.adapter-request';
import { AnthropicMessagesPassthrough } from './anthropic-messages.adapter';

/** Anthropic's Messages API behind the OpenAI Chat Completions shape; it has no embeddings. */
export class AnthropicAdapter implements ProviderAdapter {
  readonly kinds = ['anthropic'] as const;
  /** Messages requests pass through to Anthropic as they are (AnthropicMessagesPassthrough). */
  readonly nativeFormats = [RequestFormat.REQUEST_FORMAT_ANTHROPIC_MESSAGES] as const;
  private readonly messages: AnthropicMessagesPassthrough;

  constructor(
    private readonly upstream: UpstreamClient,
    private readonly logUnexpected: LogUnexpected,
  ) {
    this.messages = new AnthropicMessagesPassthrough(upstream, logUnexpected);
  }

  chat(request: AdapterRequest, call: AdapterCall): Promise<AdapterResponse> {
    if (request.format === RequestFormat.REQUEST_FORMAT_ANTHROPIC_MESSAGES) return this.messages.chat(request, call);
    return ProviderAttempt.unary('chat', request, call, this.logUnexpected, async (attempt) => {
      const response = await this.send(request, attempt, false);
      const rateLimits = translator.rateLimitHeaders(flatHeaders(response.headers));
      const completion = readCompletion(await attempt.readBody(response, this.upstream.maxResponseBytes), attempt.target);
      return {
        body: Buffer.from(JSON.stringify(completion)),
        usage: completion.usage ? grpcUsage(completion.usage) : undefined,
        hasUsage: completion.usage !== undefined,
        responseModel: completion.model,
        headers: headerList(rateLimits),
      };
    });
  }

  async embeddings(request: AdapterRequest): Promise<AdapterResponse> {
    throw embeddingsUnsupportedError(request.target?.providerId ?? '');
  }

  chatStream(request: AdapterRequest, sink: AdapterStreamSink, call: AdapterCall): Promise<void> {
    if (request.format === RequestFormat.REQUEST_FORMAT_ANTHROPIC_MESSAGES) return this.messages.chatStream(request, sink, call);
    return ProviderAttempt.stream(request, sink, call, this.logUnexpected, async (attempt, out) => {
      const response = await this.send(request, attempt, true);
      out.push({ start: { headers: headerList(translator.rateLimitHeaders(flatHeaders(response.headers))) } });
      const parser = translator.streamParser({ includeUsage: request.includeUsage, model: attempt.target.model });
      let modelSent = false;
      const emit = (outputs: ChatStreamOutput[]) => {
        for (const output of outputs) {
          if (output.kind === 'error') return attempt.streamFailure(output);
          attempt.chunk(carriesContent(output.chunk));
          out.push({ chunk: Buffer.from(JSON.stringify(output.chunk)) });
          const model = parser.responseModel;
          if (!modelSent && model) {
            modelSent = true;
            out.push({ responseModel: model });
          }
        }
        return undefined;
      };
      await attempt.relay(response, out, {
        feed: (piece) => emit(parser.feed(piece)),
        finish: () => {
          const failure = emit(parser.finish());
          if (failure) return failure;
          const usage = parser.usage;
          if (usage) out.push({ usage: grpcUsage(usage) });
          return undefined;
        },
        get complete() {
          return parser.complete;
        },
        get closed() {
          return parser.closed;
        },
      });
    });
  }

  async close(): Promise<void> {
    await this.upstream.close();
  }

  /** POSTs the translated request; a non-2xx answer rejects as the provider's error. */
  private send(request: AdapterRequest, attempt: ProviderAttempt, stream: boolean) {
    const { target } = attempt;
    const upstreamRequest = attempt.translate(() => toAnthropicHttpRequest(request, target, stream));
    const url = `${target.baseUrl.replace(/\/+$/, '')}${upstreamRequest.path}`;
    return attempt.send(this.upstream, url, upstreamRequest.headers, upstreamRequest.body, providerError);
  }
}

const providerError: ProviderErrorReader = (status, text, headers) => ({
  error: translator.error(status, text, headers),
  headers: translator.rateLimitHeaders(headers),
});

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
