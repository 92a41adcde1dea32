import { grpcUsage } from './grpc-usage';

describe('grpcUsage', () => {
  it('maps OpenAI usage with cached and reasoning details', () => {
    expect(
      grpcUsage({
        prompt_tokens: 10,
        completion_tokens: 5,
        total_tokens: 15,
        prompt_tokens_details: { cached_tokens: 4 },
        completion_tokens_details: { reasoning_tokens: 2 },
      }),
    ).toEqual({ promptTokens: 10, completionTokens: 5, totalTokens: 15, cachedPromptTokens: 4, reasoningTokens: 2 });
  });

  it('defaults missing details to 0', () => {
    expect(grpcUsage({ prompt_tokens: 1, completion_tokens: 2, total_tokens: 3 })).toMatchObject({ cachedPromptTokens: 0, reasoningTokens: 0 });
  });
});
