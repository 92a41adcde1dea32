/*
 * Known models per provider kind.
 *
 * Sources:
 * - BerriAI/litellm `model_prices_and_context_window.json`: prices, context windows and
 *   output limits, unless noted on the entry.
 * - Anthropic, "Models overview" (docs.anthropic.com/en/docs/about-claude/models): model
 *   ids and the `-latest` / `-0` aliases.
 * - OpenAI, "Models" (platform.openai.com/docs/models): dated snapshot ids.
 * - AWS Bedrock model ids as listed in the project's PROVIDERS.md §4.
 *
 * Entries of different kinds that share a canonical name are the same model; a name
 * that resolves to one of them resolves to all. Azure OpenAI ids are deployment names,
 * assumed here to be named after the model (an operator can add other names to the
 * provider's `models`).
 */
import type { CatalogModel, ModelCapabilities } from './catalog-model.types';
import { ANTHROPIC_MODELS } from './model-catalog.anthropic.data';
import { AZURE_OPENAI_MODELS } from './model-catalog.azure-openai.data';
import { OPENAI_MODELS } from './model-catalog.openai.data';
import { OPENAI_COMPATIBLE_MODELS } from './model-catalog.openai-compatible.data';

const CHAT_TOOLS_VISION: ModelCapabilities = { tools: true, vision: true, streaming: true, embeddings: false };
const CHAT_TOOLS: ModelCapabilities = { tools: true, vision: false, streaming: true, embeddings: false };
const CHAT_ONLY: ModelCapabilities = { tools: false, vision: false, streaming: true, embeddings: false };
const EMBEDDINGS: ModelCapabilities = { tools: false, vision: false, streaming: false, embeddings: true };

const BEDROCK_MODELS: readonly CatalogModel[] = [
  {
    canonicalName: 'claude-3-5-sonnet',
    kind: 'bedrock',
    providerModelId: 'anthropic.claude-3-5-sonnet-20241022-v2:0',
    aliases: [],
    contextWindow: 200_000,
    maxOutputTokens: 8_192,
    price: { inputUsdPerMTok: 3, outputUsdPerMTok: 15 },
    capabilities: CHAT_TOOLS_VISION,
  },
  {
    canonicalName: 'claude-3-5-sonnet-20240620',
    kind: 'bedrock',
    providerModelId: 'anthropic.claude-3-5-sonnet-20240620-v1:0',
    aliases: [],
    contextWindow: 200_000,
    maxOutputTokens: 4_096,
    price: { inputUsdPerMTok: 3, outputUsdPerMTok: 15 },
    capabilities: CHAT_TOOLS_VISION,
  },
  {
    // A cross-region inference profile id (the `us.` prefix).
    canonicalName: 'claude-3-5-haiku',
    kind: 'bedrock',
    providerModelId: 'us.anthropic.claude-3-5-haiku-20241022-v1:0',
    aliases: [],
    contextWindow: 200_000,
    maxOutputTokens: 8_192,
    price: { inputUsdPerMTok: 0.8, outputUsdPerMTok: 4 },
    capabilities: CHAT_TOOLS,
  },
  {
    canonicalName: 'meta.llama3-70b-instruct-v1:0',
    kind: 'bedrock',
    providerModelId: 'meta.llama3-70b-instruct-v1:0',
    aliases: [],
    contextWindow: 8_192,
    maxOutputTokens: 8_192,
    price: { inputUsdPerMTok: 2.65, outputUsdPerMTok: 3.5 },
    capabilities: CHAT_ONLY,
  },
  {
    canonicalName: 'meta.llama3-1-70b-instruct-v1:0',
    kind: 'bedrock',
    providerModelId: 'meta.llama3-1-70b-instruct-v1:0',
    aliases: [],
    contextWindow: 128_000,
    maxOutputTokens: 2_048,
    price: { inputUsdPerMTok: 0.99, outputUsdPerMTok: 0.99 },
    capabilities: CHAT_TOOLS,
  },
  {
    // Price from AWS Bedrock pricing ($0.00002 per 1K tokens).
    canonicalName: 'amazon.titan-embed-text-v2:0',
    kind: 'bedrock',
    providerModelId: 'amazon.titan-embed-text-v2:0',
    aliases: [],
    contextWindow: 8_192,
    maxOutputTokens: 0,
    price: { inputUsdPerMTok: 0.02, outputUsdPerMTok: 0 },
    capabilities: EMBEDDINGS,
  },
  {
    canonicalName: 'amazon.nova-lite-v1:0',
    kind: 'bedrock',
    providerModelId: 'amazon.nova-lite-v1:0',
    aliases: [],
    contextWindow: 300_000,
    maxOutputTokens: 5_000,
    price: { inputUsdPerMTok: 0.06, outputUsdPerMTok: 0.24 },
    capabilities: CHAT_TOOLS_VISION,
  },
];

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
