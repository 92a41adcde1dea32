/*
 * Known models per provider kind: each kind's entries live in model-catalog.<kind>.data.ts,
 * which names its sources (BerriAI/litellm `model_prices_and_context_window.json` for prices,
 * the providers' model pages for ids); the Gemini entries below are priced from the same table.
 *
 * Entries of different kinds that share a canonical name are the same model; a name that
 * resolves to one of them resolves to all (gpt-4o from OpenAI or Azure OpenAI, claude-3-5-sonnet
 * from Anthropic or Bedrock), which is what a fallback between providers relies on.
 */
import type { CatalogModel, ModelCapabilities } from './catalog-model.types';
import { ANTHROPIC_MODELS } from './model-catalog.anthropic.data';
import { AZURE_OPENAI_MODELS } from './model-catalog.azure-openai.data';
import { BEDROCK_MODELS } from './model-catalog.bedrock.data';
import { OPENAI_MODELS } from './model-catalog.openai.data';
import { OPENAI_COMPATIBLE_MODELS } from './model-catalog.openai-compatible.data';

const CHAT_TOOLS_VISION: ModelCapabilities = { tools: true, vision: true, streaming: true, embeddings: false };

const GEMINI_MODELS: readonly CatalogModel[] = [
  {
    // Price for prompts up to 128K tokens.
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
    canonicalName: 'gemini-2.0-flash',
    kind: 'gemini',
    providerModelId: 'gemini-2.0-flash',
    aliases: [],
    contextWindow: 1_048_576,
    maxOutputTokens: 8_192,
    price: { inputUsdPerMTok: 0.1, outputUsdPerMTok: 0.4, cachedInputUsdPerMTok: 0.025 },
    capabilities: CHAT_TOOLS_VISION,
  },
];

export const MODEL_CATALOG: readonly CatalogModel[] = [
  ...OPENAI_MODELS,
  ...ANTHROPIC_MODELS,
  ...BEDROCK_MODELS,
  ...GEMINI_MODELS,
  ...AZURE_OPENAI_MODELS,
  ...OPENAI_COMPATIBLE_MODELS,
];
