import type { FinishReason } from '@ai-gateway/openai-api';

const FINISH_REASONS: Readonly<Record<string, FinishReason>> = {
  end_turn: 'stop',
  stop_sequence: 'stop',
  pause_turn: 'stop',
  max_tokens: 'length',
  model_context_window_exceeded: 'length',
  tool_use: 'tool_calls',
  refusal: 'content_filter',
};

/** Anthropic's `stop_reason` as OpenAI's `finish_reason`; an unknown or missing reason reads as `stop`. */
export function toFinishReason(stopReason: string | null | undefined): FinishReason {
  return (stopReason != null && FINISH_REASONS[stopReason]) || 'stop';
}
