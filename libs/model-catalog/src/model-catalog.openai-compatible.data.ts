/*
 * Models of OpenAI-compatible servers and vendors (catalog kind `openai-compatible`): no
 * provider serves them unless it declares them in its `models` (a provider of kind `openai` with
 * its own base URL: Mistral, a vLLM or Ollama server, a Llama host). The entries give such a
 * declared model its aliases, limits and a price for cost routing and budgets.
 *
 * Sources: BerriAI/litellm `model_prices_and_context_window.json` (litellm 1.108.7, pinned in
 * tools/litellm): `mistral/…` entries (Mistral's API prices) and `deepinfra/meta-llama/…`
 * entries (one hosted reference price per Llama model; vendors differ).
 */
import type { CatalogModel, ModelCapabilities } from './catalog-model.types';

const CHAT_TOOLS_VISION: ModelCapabilities = { tools: true, vision: true, streaming: true, embeddings: false };
const CHAT_TOOLS: ModelCapabilities = { tools: true, vision: false, streaming: true, embeddings: false };

export const OPENAI_COMPATIBLE_MODELS: readonly CatalogModel[] = [
  {
    // Mistral's own API (api.mistral.ai/v1).
    canonicalName: 'mistral-large-latest',
    kind: 'openai-compatible',
    providerModelId: 'mistral-large-latest',
    aliases: ['mistral-large-2512'],
    contextWindow: 262_144,
    maxOutputTokens: 262_144,
    price: { inputUsdPerMTok: 0.5, outputUsdPerMTok: 1.5, cachedInputUsdPerMTok: 0.05 },
    capabilities: CHAT_TOOLS_VISION,
  },
  {
    canonicalName: 'mistral-medium-latest',
    kind: 'openai-compatible',
    providerModelId: 'mistral-medium-latest',
    aliases: [],
    contextWindow: 262_144,
    maxOutputTokens: 262_144,
    price: { inputUsdPerMTok: 1.5, outputUsdPerMTok: 7.5, cachedInputUsdPerMTok: 0.15 },
    capabilities: CHAT_TOOLS_VISION,
  },
  {
    canonicalName: 'mistral-small-latest',
    kind: 'openai-compatible',
    providerModelId: 'mistral-small-latest',
    aliases: [],
    contextWindow: 262_144,
    maxOutputTokens: 262_144,
    price: { inputUsdPerMTok: 0.15, outputUsdPerMTok: 0.6, cachedInputUsdPerMTok: 0.015 },
    capabilities: CHAT_TOOLS_VISION,
  },
  {
    canonicalName: 'ministral-8b-latest',
    kind: 'openai-compatible',
    providerModelId: 'ministral-8b-latest',
    aliases: [],
    contextWindow: 262_144,
    maxOutputTokens: 262_144,
    price: { inputUsdPerMTok: 0.15, outputUsdPerMTok: 0.15 },
    capabilities: CHAT_TOOLS_VISION,
  },
  {
    canonicalName: 'codestral-latest',
    kind: 'openai-compatible',
    providerModelId: 'codestral-latest',
    aliases: [],
    contextWindow: 128_000,
    maxOutputTokens: 128_000,
    price: { inputUsdPerMTok: 0.3, outputUsdPerMTok: 0.9, cachedInputUsdPerMTok: 0.03 },
    capabilities: CHAT_TOOLS,
  },
  {
    // Open-weight models: a hosted reference price (DeepInfra); a self-hosted server's cost is the operator's to set.
    canonicalName: 'llama-3.3-70b-instruct',
    kind: 'openai-compatible',
    providerModelId: 'meta-llama/Llama-3.3-70B-Instruct',
    aliases: ['Llama-3.3-70B-Instruct'],
    contextWindow: 131_072,
    maxOutputTokens: 131_072,
    price: { inputUsdPerMTok: 0.23, outputUsdPerMTok: 0.4 },
    capabilities: CHAT_TOOLS,
  },
  {
    canonicalName: 'llama-3.1-70b-instruct',
    kind: 'openai-compatible',
    providerModelId: 'meta-llama/Meta-Llama-3.1-70B-Instruct',
    aliases: ['Meta-Llama-3.1-70B-Instruct'],
    contextWindow: 131_072,
    maxOutputTokens: 131_072,
    price: { inputUsdPerMTok: 0.4, outputUsdPerMTok: 0.4 },
    capabilities: CHAT_TOOLS,
  },
  {
    canonicalName: 'llama-3.1-8b-instruct',
    kind: 'openai-compatible',
    providerModelId: 'meta-llama/Meta-Llama-3.1-8B-Instruct',
    aliases: ['Meta-Llama-3.1-8B-Instruct'],
    contextWindow: 131_072,
    maxOutputTokens: 131_072,
    price: { inputUsdPerMTok: 0.03, outputUsdPerMTok: 0.05 },
    capabilities: CHAT_TOOLS,
  },
  {
    canonicalName: 'llama-4-scout',
    kind: 'openai-compatible',
    providerModelId: 'meta-llama/Llama-4-Scout-17B-16E-Instruct',
    aliases: ['Llama-4-Scout-17B-16E-Instruct'],
    contextWindow: 327_680,
    maxOutputTokens: 327_680,
    price: { inputUsdPerMTok: 0.1, outputUsdPerMTok: 0.3 },
    capabilities: CHAT_TOOLS,
  },
  {
    canonicalName: 'llama-4-maverick',
    kind: 'openai-compatible',
    providerModelId: 'meta-llama/Llama-4-Maverick-17B-128E-Instruct-FP8',
    aliases: ['Llama-4-Maverick-17B-128E-Instruct-FP8'],
    contextWindow: 1_048_576,
    maxOutputTokens: 1_048_576,
    price: { inputUsdPerMTok: 0.2, outputUsdPerMTok: 0.8 },
    capabilities: CHAT_TOOLS,
  },
];
