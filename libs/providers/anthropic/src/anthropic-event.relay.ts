import type { CompletionUsage, ProviderError, StreamFailureCause } from '@ai-gateway/openai-api';
import { SseEventDecoder, SseLimitError, type SseEvent } from '@ai-gateway/sse';
import type { AnthropicStreamEvent, AnthropicUsage } from './anthropic.types';
import { anthropicStreamError } from './anthropic-errors';
import { toOpenAiUsage } from './anthropic-usage';

const MESSAGE_STOP = '{"type":"message_stop"}';

/** One event to relay as it is (its `data` JSON), and whether it is content (for the first-token limit). */
export type RelayOutput =
  | { kind: 'event'; data: string; content: boolean }
  | { kind: 'error'; error: ProviderError; cause: StreamFailureCause };

/**
 * An Anthropic Messages stream relayed event by event, unchanged, to a Claude-native client;
 * read on the way for what the gateway needs: usage (message_start's input counts, message_delta's
 * totals), the model, whether the answer is whole, and error events (the provider's failure,
 * never relayed as content, so the router can still fall back before the first content).
 */
export class AnthropicEventRelay {
  private readonly decoder = new SseEventDecoder();
  private startUsage: AnthropicUsage | undefined;
  private outputTokens = 0;
  private model: string | undefined;
  private state: 'open' | 'stopped' | 'failed' = 'open';
  private stopReasonSeen = false;
  private bytesSeen = 0;
  private eventsSeen = 0;

  get usage(): CompletionUsage | undefined {
    return this.startUsage ? toOpenAiUsage({ ...this.startUsage, output_tokens: this.outputTokens }) : undefined;
  }

  get responseModel(): string | undefined {
    return this.model;
  }

  get complete(): boolean {
    return this.state === 'stopped' || (this.state === 'open' && this.stopReasonSeen);
  }

  /** The provider's closing event (`message_stop`) arrived. */
  get closed(): boolean {
    return this.state === 'stopped';
  }

  feed(bytes: Uint8Array): RelayOutput[] {
    if (this.state !== 'open') return [];
    this.bytesSeen += bytes.length;
    return this.relayAll(() => this.decoder.decode(bytes));
  }

  finish(): RelayOutput[] {
    if (this.state !== 'open') return [];
    const outputs = this.relayAll(() => this.decoder.end());
    if (this.state !== 'open') return outputs;
    if (this.stopReasonSeen) {
      // The answer is whole and only message_stop is missing: clients that wait for it get it.
      this.state = 'stopped';
      return [...outputs, { kind: 'event', data: MESSAGE_STOP, content: true }];
    }
    if (this.bytesSeen > 0 && this.eventsSeen === 0) return [...outputs, this.fail('malformed', 'The upstream answer is not an SSE stream.')];
    return [...outputs, this.fail('stream_cut', 'The upstream stream was cut before it finished (the body ended before a stop reason).')];
  }

  private relayAll(decode: () => SseEvent[]): RelayOutput[] {
    let events: SseEvent[];
    try {
      events = decode();
    } catch (error) {
      if (!(error instanceof SseLimitError)) throw error;
      return [this.fail('malformed', `the upstream stream broke the SSE limits: ${error.message}.`)];
    }
    const outputs: RelayOutput[] = [];
    for (const sse of events) {
      if (this.state !== 'open') break;
      this.eventsSeen += 1;
      outputs.push(this.relay(sse));
    }
    return outputs;
  }

  private relay(sse: SseEvent): RelayOutput {
    let event: AnthropicStreamEvent;
    try {
      event = JSON.parse(sse.data) as AnthropicStreamEvent;
    } catch {
      return this.fail('malformed', `The upstream stream sent an unreadable '${sse.event.slice(0, 64)}' event.`);
    }
    if (typeof event !== 'object' || event === null) return this.fail('malformed', 'The upstream stream sent an unreadable event.');
    switch (event.type) {
      case 'message_start':
        this.startUsage = event.message?.usage ?? {};
        this.outputTokens = event.message?.usage?.output_tokens ?? 0;
        this.model = event.message?.model || this.model;
        return { kind: 'event', data: sse.data, content: false };
      case 'message_delta':
        this.outputTokens = event.usage?.output_tokens ?? this.outputTokens;
        this.takeInputTotals(event.usage);
        if (event.delta?.stop_reason) this.stopReasonSeen = true;
        return { kind: 'event', data: sse.data, content: Boolean(event.delta?.stop_reason) };
      case 'message_stop':
        this.state = 'stopped';
        return { kind: 'event', data: sse.data, content: true };
      case 'error':
        this.state = 'failed';
        return { kind: 'error', error: anthropicStreamError(event.error ?? {}), cause: 'provider_error' };
      case 'content_block_delta':
        return { kind: 'event', data: sse.data, content: true };
      case 'content_block_start':
        return { kind: 'event', data: sse.data, content: event.content_block?.type === 'tool_use' };
      default:
        return { kind: 'event', data: sse.data, content: false };
    }
  }

  private takeInputTotals(delta: AnthropicUsage | undefined): void {
    if (!delta || !this.startUsage) return;
    if (delta.input_tokens != null) this.startUsage.input_tokens = delta.input_tokens;
    if (delta.cache_creation_input_tokens != null) this.startUsage.cache_creation_input_tokens = delta.cache_creation_input_tokens;
    if (delta.cache_read_input_tokens != null) this.startUsage.cache_read_input_tokens = delta.cache_read_input_tokens;
  }

  private fail(cause: 'malformed' | 'stream_cut', message: string): RelayOutput {
    this.state = 'failed';
    const error: ProviderError = { status: 502, upstreamStatus: 0, type: 'api_error', code: cause === 'stream_cut' ? 'stream_cut' : 'bad_upstream_response', param: null, message, retryable: true };
    return { kind: 'error', error, cause };
  }
}
