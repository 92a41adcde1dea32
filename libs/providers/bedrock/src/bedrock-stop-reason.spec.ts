import { toFinishReason } from './bedrock-stop-reason';
import { toOpenAiUsage } from './bedrock-usage';

describe('toFinishReason', () => {
  it.each([
    ['end_turn', 'stop'],
    ['stop_sequence', 'stop'],
    ['max_tokens', 'length'],
    ['model_context_window_exceeded', 'length'],
    ['tool_use', 'tool_calls'],
    ['guardrail_intervened', 'content_filter'],
    ['content_filtered', 'content_filter'],
    ['a_reason_added_later', 'stop'],
    [undefined, 'stop'],
  ])('maps stopReason %s to %s', (stopReason, finishReason) => {
    expect(toFinishReason(stopReason)).toBe(finishReason);
  });
});

describe('toOpenAiUsage', () => {
  it.each([
    ['plain counts', { inputTokens: 10, outputTokens: 5, totalTokens: 15 }, { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15, prompt_tokens_details: { cached_tokens: 0 } }],
    [
      'cache reads and writes counted into the prompt, reads as cached',
      { inputTokens: 10, outputTokens: 5, cacheReadInputTokens: 100, cacheWriteInputTokens: 20 },
      { prompt_tokens: 130, completion_tokens: 5, total_tokens: 135, prompt_tokens_details: { cached_tokens: 100 } },
    ],
    ['missing and hostile values as zero', { inputTokens: -4, outputTokens: Number.NaN, cacheReadInputTokens: '7' as unknown as number }, { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0, prompt_tokens_details: { cached_tokens: 0 } }],
    ['no usage at all', undefined, { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0, prompt_tokens_details: { cached_tokens: 0 } }],
  ])('maps %s', (_name, usage, expected) => {
    expect(toOpenAiUsage(usage)).toEqual(expected);
  });
});
