import type {
  ChatCompletionChunk,
  ChatStreamOptions,
  ChatStreamOutput,
  ChatStreamParser,
  CompletionUsage,
  ProviderError,
  StreamFailureCause,
} from '@ai-gateway/openai-api';
import { bedrockStreamException } from './bedrock-errors';
import { EventStreamDecoder, EventStreamFrameError, stringHeader, type EventStreamMessage } from './bedrock-event-stream.decoder';
import { toFinishReason } from './bedrock-stop-reason';
import { toOpenAiUsage } from './bedrock-usage';
import type { BedrockStreamEvents, BedrockUsage } from './bedrock.types';

type Delta = ChatCompletionChunk['choices'][number]['delta'];
type Choice = ChatCompletionChunk['choices'][number];

export interface BedrockStreamOptions extends ChatStreamOptions {
  /** The answer's x-amzn-requestid: the chunks' id (ConverseStream's events carry none). */
  requestId: string;
}

/**
 * One ConverseStream answer (binary event-stream frames) as OpenAI chat completion chunks.
 * Created per request. OpenAI's `tool_calls[].index` counts tool calls only; Bedrock's
 * contentBlockIndex counts every block. Usage arrives in `metadata`, after `messageStop`.
 */
export class BedrockStreamParser implements ChatStreamParser {
  private readonly decoder = new EventStreamDecoder();
  private readonly created: number;
  private readonly id: string;
  private readonly toolIndexByBlock = new Map<number, number>();
  private reportedUsage: BedrockUsage | undefined;
  private started = false;
  private state: 'open' | 'stopped' | 'failed' = 'open';
  /** messageStop arrived: the answer is whole even if metadata never comes. */
  private stopReasonSeen = false;

  constructor(
    private readonly options: BedrockStreamOptions,
    nowMs: () => number = Date.now,
  ) {
    this.created = Math.floor(nowMs() / 1000);
    this.id = `chatcmpl-${options.requestId}`;
  }

  get usage(): CompletionUsage | undefined {
    return this.reportedUsage ? toOpenAiUsage(this.reportedUsage) : undefined;
  }

  get responseModel(): string | undefined {
    return this.started ? this.options.model : undefined;
  }

  get complete(): boolean {
    return this.state === 'stopped' || (this.state === 'open' && this.stopReasonSeen);
  }

  feed(bytes: Uint8Array): ChatStreamOutput[] {
    if (this.state !== 'open') return [];
    let messages: EventStreamMessage[];
    try {
      messages = this.decoder.feed(bytes);
    } catch (error) {
      if (!(error instanceof EventStreamFrameError)) throw error;
      return [this.fail(malformed(`The upstream event stream is unreadable: ${error.message}.`), 'malformed')];
    }
    const outputs: ChatStreamOutput[] = [];
    for (const message of messages) {
      if (this.state !== 'open') break;
      outputs.push(...this.handleFrame(message));
    }
    return outputs;
  }

  /** The body ended: after messageStop the answer is whole (usage or not); otherwise it was cut. */
  finish(): ChatStreamOutput[] {
    if (this.state !== 'open') return [];
    if (this.stopReasonSeen && !this.decoder.midFrame) {
      this.state = 'stopped';
      return this.options.includeUsage ? [this.usageChunk()] : [];
    }
    return [this.fail(streamCut(), 'stream_cut')];
  }

  private handleFrame(message: EventStreamMessage): ChatStreamOutput[] {
    const messageType = stringHeader(message, ':message-type');
    if (messageType === 'exception') {
      return [this.fail(bedrockStreamException(stringHeader(message, ':exception-type') ?? '', message.body), 'provider_error')];
    }
    if (messageType === 'error') {
      const code = stringHeader(message, ':error-code') ?? 'internalServerException';
      return [this.fail(bedrockStreamException(code, { message: stringHeader(message, ':error-message') ?? '' }), 'provider_error')];
    }
    if (messageType !== 'event') return [this.fail(malformed('The upstream event stream sent a frame without a known :message-type.'), 'malformed')];
    const eventType = stringHeader(message, ':event-type') ?? '';
    let payload: unknown;
    try {
      payload = JSON.parse(Buffer.from(message.body).toString('utf8'));
    } catch {
      return [this.fail(unreadableEvent(eventType), 'malformed')];
    }
    if (typeof payload !== 'object' || payload === null) return [this.fail(unreadableEvent(eventType), 'malformed')];
    try {
      return this.handle(eventType, payload);
    } catch (error) {
      if (!(error instanceof TypeError)) throw error;
      return [this.fail(unreadableEvent(eventType), 'malformed')];
    }
  }

  private handle(eventType: string, payload: object): ChatStreamOutput[] {
    switch (eventType) {
      case 'messageStart':
        this.started = true;
        return [this.chunk({ role: 'assistant', content: '' })];
      case 'contentBlockStart':
        return this.blockStart(payload as BedrockStreamEvents['contentBlockStart']);
      case 'contentBlockDelta':
        return this.blockDelta(payload as BedrockStreamEvents['contentBlockDelta']);
      case 'messageStop':
        this.stopReasonSeen = true;
        return [this.chunk({}, toFinishReason((payload as BedrockStreamEvents['messageStop']).stopReason))];
      case 'metadata': {
        const usage = (payload as BedrockStreamEvents['metadata']).usage;
        this.reportedUsage = typeof usage === 'object' && usage !== null ? usage : {};
        if (!this.stopReasonSeen) return [];
        this.state = 'stopped';
        return this.options.includeUsage ? [this.usageChunk()] : [];
      }
      default:
        // contentBlockStop and event types added later carry nothing for the client.
        return [];
    }
  }

  private blockStart(event: BedrockStreamEvents['contentBlockStart']): ChatStreamOutput[] {
    const toolUse = event.start?.toolUse;
    if (!toolUse) return [];
    if (typeof toolUse.toolUseId !== 'string' || typeof toolUse.name !== 'string' || typeof event.contentBlockIndex !== 'number') {
      return [this.fail(unreadableEvent('contentBlockStart'), 'malformed')];
    }
    const index = this.toolIndexByBlock.size;
    this.toolIndexByBlock.set(event.contentBlockIndex, index);
    return [this.chunk({ tool_calls: [{ index, id: toolUse.toolUseId, type: 'function', function: { name: toolUse.name, arguments: '' } }] })];
  }

  private blockDelta(event: BedrockStreamEvents['contentBlockDelta']): ChatStreamOutput[] {
    const delta = event.delta;
    if (typeof delta.text === 'string') return delta.text === '' ? [] : [this.chunk({ content: delta.text })];
    if (delta.toolUse !== undefined) {
      const index = this.toolIndexByBlock.get(event.contentBlockIndex);
      // Input for a block that never started as a tool call has no id or name to attach it to.
      if (index === undefined || typeof delta.toolUse.input !== 'string') return [this.fail(unreadableEvent('contentBlockDelta'), 'malformed')];
      return delta.toolUse.input === '' ? [] : [this.chunk({ tool_calls: [{ index, function: { arguments: delta.toolUse.input } }] })];
    }
    // reasoningContent, citations and delta kinds added later have no OpenAI counterpart.
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
    return { kind: 'chunk', chunk: { ...this.envelope(), choices: [], usage: toOpenAiUsage(this.reportedUsage) } };
  }

  private envelope(): Pick<ChatCompletionChunk, 'id' | 'object' | 'created' | 'model'> {
    return { id: this.id, object: 'chat.completion.chunk', created: this.created, model: this.options.model };
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
    message: 'The upstream stream was cut before it finished (the body ended before messageStop).',
    retryable: true,
  };
}

function malformed(message: string): ProviderError {
  return { status: 502, upstreamStatus: 0, type: 'api_error', code: 'bad_upstream_response', param: null, message, retryable: true };
}

function unreadableEvent(eventType: string): ProviderError {
  // The event name comes from the provider: bounded so a huge name cannot grow the message.
  return malformed(`The upstream stream sent an unreadable '${eventType.slice(0, 64)}' event.`);
}
