import type {
  ChatCompletionChunk,
  ChatStreamOptions,
  ChatStreamOutput,
  ChatStreamParser,
  CompletionUsage,
  ProviderError,
  StreamFailureCause,
} from '@ai-gateway/openai-api';
import type { AnthropicStreamEvent, AnthropicUsage } from './anthropic.types';
import { anthropicStreamError } from './anthropic-errors';
import { toFinishReason } from './anthropic-stop-reason';
import { toOpenAiUsage } from './anthropic-usage';
import { SseEventDecoder, SseLimitError, type SseEvent } from '@ai-gateway/sse';

type Delta = ChatCompletionChunk['choices'][number]['delta'];
type Choice = ChatCompletionChunk['choices'][number];

/**
 * One Anthropic Messages stream as OpenAI chat completion chunks. Created per request; the
 * OpenAI `tool_calls[].index` counts tool_use blocks only, Anthropic's block index counts all.
 */
export class AnthropicStreamParser implements ChatStreamParser {
  private readonly decoder = new SseEventDecoder();
  private readonly created: number;
  private id = '';
  private model: string;
  private readonly toolIndexByBlock = new Map<number, number>();
  private inputUsage: AnthropicUsage | undefined;
  private outputTokens = 0;
  private state: 'open' | 'stopped' | 'failed' = 'open';
  /** message_delta carried a stop_reason: the answer is complete even if message_stop never comes. */
  private stopReasonSeen = false;
  private bytesSeen = 0;
  private eventsSeen = 0;

  constructor(
    private readonly options: ChatStreamOptions,
    nowMs: () => number = Date.now,
  ) {
    this.model = options.model;
    this.created = Math.floor(nowMs() / 1000);
  }

  get usage(): CompletionUsage | undefined {
    return this.inputUsage ? toOpenAiUsage({ ...this.inputUsage, output_tokens: this.outputTokens }) : undefined;
  }

  get responseModel(): string | undefined {
    return this.inputUsage ? this.model : undefined;
  }

  feed(bytes: Uint8Array): ChatStreamOutput[] {
    if (this.state !== 'open') return [];
    this.bytesSeen += bytes.length;
    return this.handleAll(() => this.decoder.decode(bytes));
  }

  /**
   * The body ended. After message_stop, or after a message_delta with a stop_reason (the
   * answer is whole, only the closing event is missing), the stream is complete; otherwise it
   * was cut.
   */
  finish(): ChatStreamOutput[] {
    if (this.state !== 'open') return [];
    const outputs = this.handleAll(() => this.decoder.end());
    if (this.state !== 'open') return outputs;
    if (this.stopReasonSeen) {
      this.state = 'stopped';
      return this.options.includeUsage ? [...outputs, this.usageChunk()] : outputs;
    }
    if (this.bytesSeen > 0 && this.eventsSeen === 0) {
      // A body without a single SSE event (an HTML page, a JSON error with status 200) is no stream at all.
      return [...outputs, this.fail(malformed('The upstream answer is not an SSE stream.'), 'malformed')];
    }
    return [...outputs, this.fail(streamCut(), 'stream_cut')];
  }

  /** The answer is complete (message_stop, or a stop_reason): a transport error now loses nothing. */
  get complete(): boolean {
    return this.state === 'stopped' || (this.state === 'open' && this.stopReasonSeen);
  }

  /** The provider's closing event (`message_stop`) arrived. */
  get closed(): boolean {
    return this.state === 'stopped';
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
      this.eventsSeen += 1;
      outputs.push(...this.handleReadable(event));
    }
    return outputs;
  }

  /** One event; one whose JSON lacks what its type promises is unreadable, like invalid JSON. */
  private handleReadable(sse: SseEvent): ChatStreamOutput[] {
    let event: AnthropicStreamEvent;
    try {
      event = JSON.parse(sse.data) as AnthropicStreamEvent;
    } catch {
      return [this.fail(unreadableEvent(sse.event), 'malformed')];
    }
    if (typeof event !== 'object' || event === null) return [this.fail(unreadableEvent(sse.event), 'malformed')];
    try {
      return this.handle(event);
    } catch (error) {
      if (!(error instanceof TypeError)) throw error;
      return [this.fail(unreadableEvent(sse.event), 'malformed')];
    }
  }

  private handle(event: AnthropicStreamEvent): ChatStreamOutput[] {
    switch (event.type) {
      case 'message_start':
        this.id = event.message.id;
        this.model = event.message.model || this.model;
        this.inputUsage = event.message.usage ?? {};
        this.outputTokens = event.message.usage?.output_tokens ?? 0;
        return [this.chunk({ role: 'assistant', content: '' })];
      case 'content_block_start':
        return this.blockStart(event.index, event.content_block);
      case 'content_block_delta':
        return this.blockDelta(event.index, event.delta);
      case 'message_delta':
        this.outputTokens = event.usage?.output_tokens ?? this.outputTokens;
        this.inputUsage = withInputTotals(this.inputUsage, event.usage);
        if (event.delta.stop_reason) this.stopReasonSeen = true;
        return [this.chunk({}, toFinishReason(event.delta.stop_reason))];
      case 'message_stop':
        this.state = 'stopped';
        return this.options.includeUsage ? [this.usageChunk()] : [];
      case 'error':
        return [this.fail(anthropicStreamError(event.error ?? {}), 'provider_error')];
      default:
        // ping, content_block_stop and event types added later carry nothing for the client.
        return [];
    }
  }

  private blockStart(
    blockIndex: number,
    block: { type: string; id?: string; name?: string; text?: string },
  ): ChatStreamOutput[] {
    if (block.type === 'text' && block.text) return [this.chunk({ content: block.text })];
    if (block.type !== 'tool_use') return [];
    const index = this.toolIndexByBlock.size;
    this.toolIndexByBlock.set(blockIndex, index);
    return [
      this.chunk({
        tool_calls: [{ index, id: block.id ?? '', type: 'function', function: { name: block.name ?? '', arguments: '' } }],
      }),
    ];
  }

  private blockDelta(blockIndex: number, delta: { type: string; text?: string; partial_json?: string }): ChatStreamOutput[] {
    if (delta.type === 'text_delta' && delta.text) return [this.chunk({ content: delta.text })];
    const index = this.toolIndexByBlock.get(blockIndex);
    if (delta.type === 'input_json_delta' && delta.partial_json && index !== undefined) {
      return [this.chunk({ tool_calls: [{ index, function: { arguments: delta.partial_json } }] })];
    }
    // thinking_delta, signature_delta and citations_delta have no OpenAI counterpart.
    return [];
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

/** message_delta's input counters, when present, are the whole message's totals: they replace message_start's. */
function withInputTotals(start: AnthropicUsage | undefined, delta: AnthropicUsage | undefined): AnthropicUsage | undefined {
  if (!start || !delta) return start;
  const totals: AnthropicUsage = { ...start };
  if (delta.input_tokens != null) totals.input_tokens = delta.input_tokens;
  if (delta.cache_creation_input_tokens != null) totals.cache_creation_input_tokens = delta.cache_creation_input_tokens;
  if (delta.cache_read_input_tokens != null) totals.cache_read_input_tokens = delta.cache_read_input_tokens;
  return totals;
}

function streamCut(): ProviderError {
  return {
    status: 502,
    upstreamStatus: 0,
    type: 'api_error',
    code: 'stream_cut',
    param: null,
    message: 'The upstream stream was cut before it finished (the body ended before a stop reason).',
    retryable: true,
  };
}

function malformed(message: string): ProviderError {
  return { status: 502, upstreamStatus: 0, type: 'api_error', code: 'bad_upstream_response', param: null, message, retryable: true };
}

function unreadableEvent(eventName: string): ProviderError {
  // The event name comes from the provider: bounded so a huge name cannot grow the message.
  return malformed(`The upstream stream sent an unreadable '${eventName.slice(0, 64)}' event.`);
}
