import { costUsd, priceOf } from './model-cost';

describe('priceOf', () => {
  it.each([
    ['openai', 'gpt-4o', { inputUsdPerMTok: 2.5, outputUsdPerMTok: 10, cachedInputUsdPerMTok: 1.25 }],
    ['openai', 'gpt-4o-2024-08-06', { inputUsdPerMTok: 2.5, outputUsdPerMTok: 10, cachedInputUsdPerMTok: 1.25 }],
    ['anthropic', 'claude-3-haiku-20240307', { inputUsdPerMTok: 0.25, outputUsdPerMTok: 1.25, cachedInputUsdPerMTok: 0.03 }],
    ['bedrock', 'meta.llama3-70b-instruct-v1:0', { inputUsdPerMTok: 2.65, outputUsdPerMTok: 3.5 }],
    ['openai', 'llama-3.1-70b', undefined],
    ['anthropic', 'gpt-4o', undefined],
  ])('priceOf(%j, %j)', (kind, id, expected) => {
    expect(priceOf(kind, id)).toEqual(expected);
  });
});

describe('costUsd', () => {
  const withCachedPrice = { price: { inputUsdPerMTok: 2.5, outputUsdPerMTok: 10, cachedInputUsdPerMTok: 1.25 } };
  const withoutCachedPrice = { price: { inputUsdPerMTok: 10, outputUsdPerMTok: 30 } };

  it.each([
    ['a million prompt tokens', withCachedPrice, { promptTokens: 1_000_000, completionTokens: 0 }, 2.5],
    ['a million completion tokens', withCachedPrice, { promptTokens: 0, completionTokens: 1_000_000 }, 10],
    ['prompt and completion', withCachedPrice, { promptTokens: 1000, completionTokens: 500 }, 0.0075],
    ['cached tokens at the cached price', withCachedPrice, { promptTokens: 1000, completionTokens: 0, cachedPromptTokens: 400 }, 0.002],
    ['cached tokens at the input price when none is listed', withoutCachedPrice, { promptTokens: 1000, completionTokens: 0, cachedPromptTokens: 400 }, 0.01],
    ['cached beyond the prompt counted as the prompt', withCachedPrice, { promptTokens: 100, completionTokens: 0, cachedPromptTokens: 400 }, 0.000125],
    ['negative counts as zero', withCachedPrice, { promptTokens: -5, completionTokens: -1 }, 0],
    ['nothing', withCachedPrice, { promptTokens: 0, completionTokens: 0 }, 0],
  ])('%s', (_case, model, usage, expected) => {
    expect(costUsd(model, usage)).toBeCloseTo(expected, 12);
  });
});
