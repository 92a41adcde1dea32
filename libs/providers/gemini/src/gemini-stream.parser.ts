import type {
  ChatCompletionChunk,
  ChatStreamOptions,
  ChatStreamOutput,
  ChatStreamParser,
  CompletionUsage,
  ProviderError,
  StreamFailureCause,
} from '@ai-gateway/openai-api';
import { SseEventDecoder, SseLimitError, type SseEvent } from '@ai-gateway/sse';
import type { GeminiGenerateContentResponse, GeminiUsageMetadata } from './gemini.types';
import { completionId, firstCandidateParts, isGenerateContentResponse, readCandidateParts } from './gemini-candidate';
import { errorStatusOf, geminiStreamError } from './gemini-errors';
import { toFinishReason } from './gemini-finish-reason';
import { toOpenAiUsage } from './gemini-usage';

type Delta = ChatCompletionChunk['choices'][number]['delta'];
type Choice = ChatCompletionChunk['choices'][number];

/**
 * One `:streamGenerateContent?alt=sse` answer as OpenAI chat completion chunks. Each SSE event is
 * a whole generateContent response holding an increment: text parts become content deltas, each
 * function call (Gemini sends it whole) one tool_call delta with its id, name and all its
 * arguments. usageMetadata is cumulative; the last one counts. The finish reason comes on the
 * last event; there is no `[DONE]`. An event `{"error":{...}}` is an error inside the stream.
 */
export class GeminiStreamParser implements ChatStreamParser {
  private readonly decoder = new SseEventDecoder();
  private readonly created: number;
  private id = '';
  private model: string;
  private modelReported: string | undefined;
  private usageMetadata: GeminiUsageMetadata | undefined;
  private toolCalls = 0;
  private started = false;
  private finished = false;
  private state: 'open' | 'stopped' | 'failed' = 'open';
  private bytesSeen = 0;
  private eventsSeen = 0;
  /** The Retry-After (ms) of the error event that failed the stream, if it asked for one. */
  retryAfterMs = 0;

  constructor(
    private readonly options: ChatStreamOptions,
    nowMs: () => number = Date.now,
  ) {
    this.model = options.model;
    this.created = Math.floor(nowMs() / 1000);
  }

  get usage(): CompletionUsage | undefined {
    return this.usageMetadata ? toOpenAiUsage(this.usageMetadata) : undefined;
  }

  get responseModel(): string | undefined {
    return this.modelReported;
  }

  /** A finish reason arrived: the answer is whole even if the connection breaks now. */
  get complete(): boolean {
    return this.finished && this.state !== 'failed';
  }

  feed(bytes: Uint8Array): ChatStreamOutput[] {
    if (this.state !== 'open') return [];
    this.bytesSeen += bytes.length;
    return this.handleAll(() => this.decoder.decode(bytes));
  }

  finish(): ChatStreamOutput[] {
    if (this.state !== 'open') return [];
    const outputs = this.handleAll(() => this.decoder.end());
    if (this.state !== 'open') return outputs;
    if (this.finished) {
      this.state = 'stopped';
      return this.options.includeUsage ? [...outputs, this.usageChunk()] : outputs;
    }
    if (this.bytesSeen > 0 && this.eventsSeen === 0) return [...outputs, this.fail(malformed('The upstream answer is not an SSE stream.'), 'malformed')];
    return [...outputs, this.fail(streamCut(), 'stream_cut')];
  }

  private handleAll(decode: () => SseEvent[]): ChatStreamOutput[] {
    let events: SseEvent[];
    try {
      events = decode();
    } catch (error) {
      if (!(error instanceof SseLimitError)) throw error;
      return [this.fail(malformed(`the upstream stream broke the SSE limits: ${error.message}.`), 'malformed')];
    }
    const outputs: ChatStreamOutput[] = [];
    for (const event of events) {
      if (this.state !== 'open') break;
      if (event.data === '') continue;
      this.eventsSeen += 1;
      outputs.push(...this.handleReadable(event.data));
    }
    return outputs;
  }

  private handleReadable(data: string): ChatStreamOutput[] {
    let body: unknown;
    try {
      body = JSON.parse(data);
    } catch {
      return [this.fail(malformed('The upstream stream sent an event that is not JSON.'), 'malformed')];
    }
    const error = errorStatusOf(body);
    if (error) {
      const failure = geminiStreamError(error);
      this.retryAfterMs = failure.retryAfterMs;
      return [this.fail(failure.error, 'provider_error')];
    }
    if (!isGenerateContentResponse(body)) return [this.fail(malformed('The upstream stream sent an event that is no generateContent answer.'), 'malformed')];
    try {
      return this.handle(body);
    } catch (error) {
      if (!(error instanceof TypeError)) throw error;
      return [this.fail(malformed('The upstream stream sent an unreadable generateContent answer.'), 'malformed')];
    }
  }

  private handle(response: GeminiGenerateContentResponse): ChatStreamOutput[] {
    const outputs: ChatStreamOutput[] = [];
    if (!this.started) {
      this.started = true;
      this.id = completionId(response.responseId);
      if (typeof response.modelVersion === 'string' && response.modelVersion !== '') this.model = response.modelVersion;
      this.modelReported = this.model;
      outputs.push(this.chunk({ role: 'assistant', content: '' }));
    }
    if (response.usageMetadata) this.usageMetadata = response.usageMetadata;
    if (this.finished) return outputs;
    const { text, toolCalls } = readCandidateParts(firstCandidateParts(response), response.responseId, this.toolCalls);
    if (text !== '') outputs.push(this.chunk({ content: text }));
    for (const call of toolCalls) {
      const index = this.toolCalls++;
      outputs.push(this.chunk({ tool_calls: [{ index, id: call.id, type: 'function', function: { name: call.function.name, arguments: call.function.arguments } }] }));
    }
    const candidate = response.candidates?.[0];
    if (candidate?.finishReason) {
      this.finished = true;
      outputs.push(this.chunk({}, toFinishReason(candidate.finishReason, this.toolCalls > 0)));
    } else if (candidate === undefined && response.promptFeedback?.blockReason !== undefined) {
      this.finished = true;
      outputs.push(this.chunk({}, 'content_filter'));
    }
    return outputs;
  }

  private chunk(delta: Delta, finishReason: Choice['finish_reason'] = null): ChatStreamOutput {
    return {
      kind: 'chunk',
      chunk: {
        ...this.envelope(),
        choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }],
        ...(this.options.includeUsage ? { usage: null } : {}),
      },
    };
  }

  private usageChunk(): ChatStreamOutput {
    return { kind: 'chunk', chunk: { ...this.envelope(), choices: [], usage: this.usage ?? toOpenAiUsage({}) } };
  }

  private envelope(): Pick<ChatCompletionChunk, 'id' | 'object' | 'created' | 'model'> {
    return { id: this.id, object: 'chat.completion.chunk', created: this.created, model: this.model };
  }

  private fail(error: ProviderError, cause: StreamFailureCause): ChatStreamOutput {
    this.state = 'failed';
    return { kind: 'error', error, cause };
  }
}

function streamCut(): ProviderError {
  return {
    status: 502,
    upstreamStatus: 0,
    type: 'api_error',
    code: 'stream_cut',
    param: null,
    message: 'The upstream stream was cut before it finished (the body ended before a finish reason).',
    retryable: true,
  };
}

function malformed(message: string): ProviderError {
  return { status: 502, upstreamStatus: 0, type: 'api_error', code: 'bad_upstream_response', param: null, message, retryable: true };
}
