import type { FinishReason } from '@ai-gateway/openai-api';
import { toFinishReason, toStopReason } from './anthropic-stop-reason';

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

describe('toStopReason', () => {
  it.each([
    ['stop', 'end_turn'],
    ['length', 'max_tokens'],
    ['tool_calls', 'tool_use'],
    ['function_call', 'tool_use'],
    ['content_filter', 'refusal'],
    [null, 'end_turn'],
    ['something_new', 'end_turn'],
  ])('%p → %p', (finishReason, stopReason) => {
    expect(toStopReason(finishReason)).toBe(stopReason);
  });

  it.each(['end_turn', 'max_tokens', 'tool_use', 'refusal'])('reverses toFinishReason for %s', (stopReason) => {
    expect(toStopReason(toFinishReason(stopReason))).toBe(stopReason);
  });
});
