import type { FinishReason } from '@ai-gateway/openai-api';
import type { AnthropicStopReason } from './anthropic.types';

const FINISH_REASONS: Readonly<Record<string, FinishReason>> = {
  end_turn: 'stop',
  stop_sequence: 'stop',
  pause_turn: 'stop',
  max_tokens: 'length',
  model_context_window_exceeded: 'length',
  tool_use: 'tool_calls',
  refusal: 'content_filter',
};

const STOP_REASONS: Readonly<Record<FinishReason, AnthropicStopReason>> = {
  stop: 'end_turn',
  length: 'max_tokens',
  tool_calls: 'tool_use',
  function_call: 'tool_use',
  content_filter: 'refusal',
};

/** Anthropic's `stop_reason` as OpenAI's `finish_reason`; an unknown or missing reason reads as `stop`. */
export function toFinishReason(stopReason: string | null | undefined): FinishReason {
  return (stopReason != null && FINISH_REASONS[stopReason]) || 'stop';
}

/** OpenAI's `finish_reason` as Anthropic's `stop_reason` (the reverse of toFinishReason); unknown or missing reads as `end_turn`. */
export function toStopReason(finishReason: string | null | undefined): AnthropicStopReason {
  return (finishReason != null && STOP_REASONS[finishReason as FinishReason]) || 'end_turn';
}
