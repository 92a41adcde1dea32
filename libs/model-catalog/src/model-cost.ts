import type { CatalogModel, ModelPrice, TokenUsage } from './catalog-model.types';
import { DEFAULT_MODEL_INDEX } from './model-lookup';
import type { ModelIndex } from './model-index';

const TOKENS_PER_PRICE_UNIT = 1_000_000;

export function priceOf(
  kind: string,
  providerModelId: string,
  index: ModelIndex = DEFAULT_MODEL_INDEX,
): ModelPrice | undefined {
  return index.find(providerModelId, kind)?.price;
}

/** Cost in USD; cached prompt tokens are part of promptTokens, as in OpenAI's usage. */
export function costUsd(model: Pick<CatalogModel, 'price'>, usage: TokenUsage): number {
  const { inputUsdPerMTok, outputUsdPerMTok, cachedInputUsdPerMTok = inputUsdPerMTok } = model.price;
  const promptTokens = nonNegative(usage.promptTokens);
  const cachedTokens = Math.min(nonNegative(usage.cachedPromptTokens ?? 0), promptTokens);
  const tokenPriceProducts =
    (promptTokens - cachedTokens) * inputUsdPerMTok +
    cachedTokens * cachedInputUsdPerMTok +
    nonNegative(usage.completionTokens) * outputUsdPerMTok;
  return tokenPriceProducts / TOKENS_PER_PRICE_UNIT;
}

function nonNegative(tokens: number): number {
  return Number.isFinite(tokens) && tokens > 0 ? tokens : 0;
}
