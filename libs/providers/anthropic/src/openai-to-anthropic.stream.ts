import type { ChatCompletionChunk, CompletionUsage, FinishReason } from '@ai-gateway/openai-api';
import type { AnthropicStreamEvent } from './anthropic.types';
import { toStopReason } from './anthropic-stop-reason';
import { toAnthropicUsage } from './anthropic-usage';

type OpenBlock = { kind: 'text' | 'thinking'; index: number } | { kind: 'tool'; index: number; toolIndex: number };
type ChunkDelta = ChatCompletionChunk['choices'][number]['delta'] & { reasoning_content?: unknown; reasoning?: unknown };

/**
 * One OpenAI chat stream as the events of an Anthropic Messages stream. Created per request and
 * fed parsed chunks in order; `end()` once the source stream ended whole. The input token counts
 * arrive with OpenAI's last (usage) chunk, so message_start reports 0 and message_delta the
 * counts, as Anthropic's own message_delta usage does.
 */
export class OpenAiToAnthropicStream {
  private started = false;
  private ended = false;
  private nextBlockIndex = 0;
  private open: OpenBlock | undefined;
  /** Anthropic block index of each OpenAI tool_calls[].index, so late argument fragments find their block. */
  private readonly blockByToolIndex = new Map<number, number>();
  private finishReason: FinishReason | null = null;
  private usage: CompletionUsage | null | undefined;

  constructor(private readonly fallbackModel: string) {}

  push(chunk: ChatCompletionChunk): AnthropicStreamEvent[] {
    if (this.ended) return [];
    const events = this.start(chunk);
    if (chunk.usage) this.usage = chunk.usage;
    const choice = chunk.choices?.[0];
    if (!choice) return events;
    const delta = (choice.delta ?? {}) as ChunkDelta;
    const reasoning = typeof delta.reasoning_content === 'string' ? delta.reasoning_content : typeof delta.reasoning === 'string' ? delta.reasoning : '';
    if (reasoning) events.push(...this.appendText('thinking', reasoning));
    if (typeof delta.content === 'string' && delta.content) events.push(...this.appendText('text', delta.content));
    // A refusal (structured outputs) streams instead of content: the client sees it as text.
    if (typeof delta.refusal === 'string' && delta.refusal) events.push(...this.appendText('text', delta.refusal));
    for (const call of delta.tool_calls ?? []) events.push(...this.appendToolCall(call));
    if (choice.finish_reason) {
      this.finishReason = choice.finish_reason;
      events.push(...this.closeOpenBlock());
    }
    return events;
  }

  /** The source stream ended whole: close the last block and the message. */
  end(): AnthropicStreamEvent[] {
    if (this.ended) return [];
    const events = this.start(undefined);
    events.push(...this.closeOpenBlock());
    this.ended = true;
    const usage = toAnthropicUsage(this.usage);
    events.push(
      { type: 'message_delta', delta: { stop_reason: toStopReason(this.finishReason), stop_sequence: null }, usage },
      { type: 'message_stop' },
    );
    return events;
  }

  private start(chunk: ChatCompletionChunk | undefined): AnthropicStreamEvent[] {
    if (this.started) return [];
    this.started = true;
    return [
      {
        type: 'message_start',
        message: {
          id: chunk?.id || 'msg_gateway',
          type: 'message',
          role: 'assistant',
          model: chunk?.model || this.fallbackModel,
          content: [],
          stop_reason: null,
          stop_sequence: null,
          usage: { input_tokens: 0, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, output_tokens: 0 },
        },
      },
      { type: 'ping' },
    ];
  }

  private appendText(kind: 'text' | 'thinking', text: string): AnthropicStreamEvent[] {
    const events: AnthropicStreamEvent[] = [];
    if (this.open?.kind !== kind) {
      events.push(...this.closeOpenBlock());
      const index = this.nextBlockIndex++;
      this.open = { kind, index };
      events.push({
        type: 'content_block_start',
        index,
        content_block: kind === 'text' ? { type: 'text', text: '' } : { type: 'thinking', thinking: '', signature: '' },
      });
    }
    const delta = kind === 'text' ? { type: 'text_delta', text } : { type: 'thinking_delta', thinking: text };
    events.push({ type: 'content_block_delta', index: (this.open as OpenBlock).index, delta });
    return events;
  }

  private appendToolCall(call: NonNullable<ChunkDelta['tool_calls']>[number]): AnthropicStreamEvent[] {
    const events: AnthropicStreamEvent[] = [];
    let index = this.blockByToolIndex.get(call.index);
    if (index === undefined) {
      events.push(...this.closeOpenBlock());
      index = this.nextBlockIndex++;
      this.blockByToolIndex.set(call.index, index);
      this.open = { kind: 'tool', index, toolIndex: call.index };
      events.push({
        type: 'content_block_start',
        index,
        content_block: { type: 'tool_use', id: call.id ?? `toolu_gateway_${index}`, name: call.function?.name ?? '', input: {} },
      });
    }
    const fragment = call.function?.arguments;
    // A fragment of a tool call whose block already closed (interleaved parallel calls) still names its own block.
    if (fragment) events.push({ type: 'content_block_delta', index, delta: { type: 'input_json_delta', partial_json: fragment } });
    return events;
  }

  private closeOpenBlock(): AnthropicStreamEvent[] {
    if (!this.open) return [];
    const index = this.open.index;
    this.open = undefined;
    return [{ type: 'content_block_stop', index }];
  }
}
