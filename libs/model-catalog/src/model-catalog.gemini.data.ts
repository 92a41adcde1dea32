/*
 * Google Gemini models (kind `gemini`; a `vertex` provider serves the same ids).
 *
 * Sources:
 * - BerriAI/litellm `model_prices_and_context_window.json` (`gemini/…` entries): prices,
 *   context windows and output limits.
 * - Google, "Gemini Developer API pricing" (ai.google.dev/gemini-api/docs/pricing): the same
 *   prices; where a model has two tiers, the price for prompts up to 200K tokens (128K for 1.5).
 * - Google, "Gemini models" (ai.google.dev/gemini-api/docs/models): model ids, and which models
 *   think before answering (2.5 and later), marked `reasoning` so routing waits longer for their
 *   first token.
 * Cached input is priced at Google's context-caching read price.
 */
import type { CatalogModel, ModelCapabilities } from './catalog-model.types';

const CHAT_TOOLS_VISION: ModelCapabilities = { tools: true, vision: true, streaming: true, embeddings: false };
const EMBEDDINGS: ModelCapabilities = { tools: false, vision: false, streaming: false, embeddings: true };
const GEMINI_CONTEXT = 1_048_576;

export const GEMINI_MODELS: readonly CatalogModel[] = [
  {
    canonicalName: 'gemini-3-pro-preview',
    kind: 'gemini',
    providerModelId: 'gemini-3-pro-preview',
    aliases: ['gemini-3-pro'],
    contextWindow: GEMINI_CONTEXT,
    maxOutputTokens: 65_536,
    price: { inputUsdPerMTok: 2, outputUsdPerMTok: 12, cachedInputUsdPerMTok: 0.2 },
    capabilities: CHAT_TOOLS_VISION,
    reasoning: true,
  },
  {
    canonicalName: 'gemini-3-flash-preview',
    kind: 'gemini',
    providerModelId: 'gemini-3-flash-preview',
    aliases: ['gemini-3-flash'],
    contextWindow: GEMINI_CONTEXT,
    maxOutputTokens: 65_536,
    price: { inputUsdPerMTok: 0.5, outputUsdPerMTok: 3, cachedInputUsdPerMTok: 0.05 },
    capabilities: CHAT_TOOLS_VISION,
    reasoning: true,
  },
  {
    canonicalName: 'gemini-2.5-pro',
    kind: 'gemini',
    providerModelId: 'gemini-2.5-pro',
    aliases: [],
    contextWindow: GEMINI_CONTEXT,
    maxOutputTokens: 65_535,
    price: { inputUsdPerMTok: 1.25, outputUsdPerMTok: 10, cachedInputUsdPerMTok: 0.125 },
    capabilities: CHAT_TOOLS_VISION,
    reasoning: true,
  },
  {
    canonicalName: 'gemini-2.5-flash',
    kind: 'gemini',
    providerModelId: 'gemini-2.5-flash',
    aliases: [],
    contextWindow: GEMINI_CONTEXT,
    maxOutputTokens: 65_535,
    price: { inputUsdPerMTok: 0.3, outputUsdPerMTok: 2.5, cachedInputUsdPerMTok: 0.03 },
    capabilities: CHAT_TOOLS_VISION,
    reasoning: true,
  },
  {
    canonicalName: 'gemini-2.5-flash-lite',
    kind: 'gemini',
    providerModelId: 'gemini-2.5-flash-lite',
    aliases: [],
    contextWindow: GEMINI_CONTEXT,
    maxOutputTokens: 65_535,
    price: { inputUsdPerMTok: 0.1, outputUsdPerMTok: 0.4, cachedInputUsdPerMTok: 0.01 },
    capabilities: CHAT_TOOLS_VISION,
  },
  {
    canonicalName: 'gemini-2.0-flash',
    kind: 'gemini',
    providerModelId: 'gemini-2.0-flash',
    aliases: ['gemini-2.0-flash-001'],
    contextWindow: GEMINI_CONTEXT,
    maxOutputTokens: 8_192,
    price: { inputUsdPerMTok: 0.1, outputUsdPerMTok: 0.4, cachedInputUsdPerMTok: 0.025 },
    capabilities: CHAT_TOOLS_VISION,
  },
  {
    canonicalName: 'gemini-2.0-flash-lite',
    kind: 'gemini',
    providerModelId: 'gemini-2.0-flash-lite',
    aliases: ['gemini-2.0-flash-lite-001'],
    contextWindow: GEMINI_CONTEXT,
    maxOutputTokens: 8_192,
    price: { inputUsdPerMTok: 0.075, outputUsdPerMTok: 0.3 },
    capabilities: CHAT_TOOLS_VISION,
  },
  {
    // Retired by Google for new projects; kept for installations that still route to it.
    canonicalName: 'gemini-1.5-pro',
    kind: 'gemini',
    providerModelId: 'gemini-1.5-pro',
    aliases: [],
    contextWindow: 2_097_152,
    maxOutputTokens: 8_192,
    price: { inputUsdPerMTok: 1.25, outputUsdPerMTok: 5 },
    capabilities: CHAT_TOOLS_VISION,
  },
  {
    canonicalName: 'gemini-embedding-001',
    kind: 'gemini',
    providerModelId: 'gemini-embedding-001',
    aliases: [],
    contextWindow: 2_048,
    maxOutputTokens: 0,
    price: { inputUsdPerMTok: 0.15, outputUsdPerMTok: 0 },
    capabilities: EMBEDDINGS,
  },
];
