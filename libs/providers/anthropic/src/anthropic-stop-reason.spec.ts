import type { FinishReason } from '@ai-gateway/openai-api';
import { toFinishReason } from './anthropic-stop-reason';

describe('toFinishReason', () => {
  it.each<[string | null | undefined, FinishReason]>([
    ['end_turn', 'stop'],
    ['stop_sequence', 'stop'],
    ['pause_turn', 'stop'],
    ['max_tokens', 'length'],
    ['model_context_window_exceeded', 'length'],
    ['tool_use', 'tool_calls'],
    ['refusal', 'content_filter'],
    ['something_new', 'stop'],
    [null, 'stop'],
    [undefined, 'stop'],
  ])('maps %s to %s', (stopReason, finishReason) => {
    expect(toFinishReason(stopReason)).toBe(finishReason);
  });
});
