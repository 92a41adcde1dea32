import type { FinishReason } from '@ai-gateway/openai-api';

const FINISH_REASON_BY_STOP_REASON: Readonly<Record<string, FinishReason>> = {
  end_turn: 'stop',
  stop_sequence: 'stop',
  max_tokens: 'length',
  model_context_window_exceeded: 'length',
  tool_use: 'tool_calls',
  guardrail_intervened: 'content_filter',
  content_filtered: 'content_filter',
};

/** Converse's stopReason as OpenAI's finish_reason; a reason added later reads as a plain stop. */
export function toFinishReason(stopReason: unknown): FinishReason {
  return (typeof stopReason === 'string' ? FINISH_REASON_BY_STOP_REASON[stopReason] : undefined) ?? 'stop';
}
