import { Usage } from '@ai-gateway/proto';
import { grpcUsage, MAX_TOKEN_COUNT } from './grpc-usage';

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

  it.each<[string, unknown, number]>([
    ['a negative count', -1_000_000, 0],
    ['a fraction', 1.5, 1],
    ['an absurd count', 1e300, MAX_TOKEN_COUNT],
    ['a string', 'abc', 0],
    ['null', null, 0],
    ['NaN', Number.NaN, 0],
  ])('reads %s from a provider as a count an event encodes', (_case, value, expected) => {
    const usage = grpcUsage({ prompt_tokens: value as number, completion_tokens: value as number, prompt_tokens_details: { cached_tokens: value as number } });
    expect(usage).toMatchObject({ promptTokens: expected, completionTokens: expected, cachedPromptTokens: expected });
    expect(() => Usage.encode(usage).finish()).not.toThrow();
  });
});
