import { clientHeaders, flatHeaders, toGrpcUsage } from './adapter.mapping';

describe('flatHeaders', () => {
  it('lowercases names, joins repeated values and drops missing ones', () => {
    expect(flatHeaders({ 'Retry-After': '3', 'set-cookie': ['a=1', 'b=2'], absent: undefined })).toEqual({
      'retry-after': '3',
      'set-cookie': 'a=1, b=2',
    });
  });
});

describe('clientHeaders', () => {
  it('keys the forwarded headers by lowercase name', () => {
    expect(clientHeaders([{ name: 'Anthropic-Beta', value: 'tools-2024' }])).toEqual({ 'anthropic-beta': 'tools-2024' });
  });
});

describe('toGrpcUsage', () => {
  it('maps OpenAI usage with cached and reasoning details', () => {
    expect(
      toGrpcUsage({
        prompt_tokens: 10,
        completion_tokens: 5,
        total_tokens: 15,
        prompt_tokens_details: { cached_tokens: 4 },
        completion_tokens_details: { reasoning_tokens: 2 },
      }),
    ).toEqual({ promptTokens: 10, completionTokens: 5, totalTokens: 15, cachedPromptTokens: 4, reasoningTokens: 2 });
  });

  it('defaults missing details to 0', () => {
    expect(toGrpcUsage({ prompt_tokens: 1, completion_tokens: 2, total_tokens: 3 })).toMatchObject({ cachedPromptTokens: 0, reasoningTokens: 0 });
  });
});
