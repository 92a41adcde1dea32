import type { CompletionUsage } from '@ai-gateway/openai-api';
import type { AnthropicUsage } from './anthropic.types';
import { toAnthropicUsage, toOpenAiUsage } from './anthropic-usage';

describe('toOpenAiUsage', () => {
  it.each<[string, AnthropicUsage, CompletionUsage]>([
    [
      'plain input and output',
      { input_tokens: 25, output_tokens: 15 },
      { prompt_tokens: 25, completion_tokens: 15, total_tokens: 40, prompt_tokens_details: { cached_tokens: 0 } },
    ],
    [
      'cache writes and reads counted as prompt tokens',
      { input_tokens: 12, cache_creation_input_tokens: 4, cache_read_input_tokens: 1024, output_tokens: 9 },
      { prompt_tokens: 1040, completion_tokens: 9, total_tokens: 1049, prompt_tokens_details: { cached_tokens: 1024 } },
    ],
    [
      'null cache counters',
      { input_tokens: 3, cache_creation_input_tokens: null, cache_read_input_tokens: null, output_tokens: 1 },
      { prompt_tokens: 3, completion_tokens: 1, total_tokens: 4, prompt_tokens_details: { cached_tokens: 0 } },
    ],
    ['nothing reported', {}, { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0, prompt_tokens_details: { cached_tokens: 0 } }],
  ])('%s', (_name, usage, expected) => {
    expect(toOpenAiUsage(usage)).toEqual(expected);
  });
});

describe('toAnthropicUsage', () => {
  it.each<[CompletionUsage]>([
    [{ prompt_tokens: 82, completion_tokens: 41, total_tokens: 123, prompt_tokens_details: { cached_tokens: 64 } }],
    [{ prompt_tokens: 10, completion_tokens: 2, total_tokens: 12 }],
  ])('round-trips through toOpenAiUsage to the same prompt, completion and cached counts (%p)', (usage) => {
    const back = toOpenAiUsage(toAnthropicUsage(usage));
    expect(back).toMatchObject({ prompt_tokens: usage.prompt_tokens, completion_tokens: usage.completion_tokens, total_tokens: usage.total_tokens });
    expect(back.prompt_tokens_details?.cached_tokens).toBe(usage.prompt_tokens_details?.cached_tokens ?? 0);
  });

  it('never reports negative input when a provider claims more cached than prompt tokens, and reads missing usage as zeros', () => {
    expect(toAnthropicUsage({ prompt_tokens: 5, completion_tokens: 1, total_tokens: 6, prompt_tokens_details: { cached_tokens: 9 } })).toEqual({
      input_tokens: 0,
      cache_creation_input_tokens: 0,
      cache_read_input_tokens: 5,
      output_tokens: 1,
    });
    expect(toAnthropicUsage(undefined)).toEqual({ input_tokens: 0, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, output_tokens: 0 });
  });
});
