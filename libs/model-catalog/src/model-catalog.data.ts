/*
 * Known models per provider kind.
 *
 * Sources:
 * - BerriAI/litellm `model_prices_and_context_window.json`: prices, context windows and
 *   output limits, unless noted on the entry.
 * - Anthropic, "Models overview" (docs.anthropic.com/en/docs/about-claude/models): model
 *   ids and the `-latest` / `-0` aliases.
 * - OpenAI, "Models" (platform.openai.com/docs/models): dated snapshot ids.
 * - AWS Bedrock: model-catalog.bedrock.data.ts names its own sources.
 *
 * Entries of different kinds that share a canonical name are the same model; a name
 * that resolves to one of them resolves to all. Azure OpenAI ids are deployment names,
 * assumed here to be named after the model (an operator can add other names to the
 * provider's `models`).
 */
import type { CatalogModel, ModelCapabilities } from './catalog-model.types';
import { BEDROCK_MODELS } from './model-catalog.bedrock.data';

const CHAT_TOOLS_VISION: ModelCapabilities = { tools: true, vision: true, streaming: true, embeddings: false };
const CHAT_TOOLS: ModelCapabilities = { tools: true, vision: false, streaming: true, embeddings: false };
const CHAT_ONLY: ModelCapabilities = { tools: false, vision: false, streaming: true, embeddings: false };
const EMBEDDINGS: ModelCapabilities = { tools: false, vision: false, streaming: false, embeddings: true };

const OPENAI_MODELS: readonly CatalogModel[] = [
  {
    canonicalName: 'gpt-4o',
    kind: 'openai',
    providerModelId: 'gpt-4o',
    aliases: ['gpt-4o-2024-08-06'],
    contextWindow: 128_000,
    maxOutputTokens: 16_384,
    price: { inputUsdPerMTok: 2.5, outputUsdPerMTok: 10, cachedInputUsdPerMTok: 1.25 },
    capabilities: CHAT_TOOLS_VISION,
  },
  {
    canonicalName: 'gpt-4o-mini',
    kind: 'openai',
    providerModelId: 'gpt-4o-mini',
    aliases: ['gpt-4o-mini-2024-07-18'],
    contextWindow: 128_000,
    maxOutputTokens: 16_384,
    price: { inputUsdPerMTok: 0.15, outputUsdPerMTok: 0.6, cachedInputUsdPerMTok: 0.075 },
    capabilities: CHAT_TOOLS_VISION,
  },
  {
    canonicalName: 'gpt-4-turbo',
    kind: 'openai',
    providerModelId: 'gpt-4-turbo',
    aliases: ['gpt-4-turbo-2024-04-09'],
    contextWindow: 128_000,
    maxOutputTokens: 4_096,
    price: { inputUsdPerMTok: 10, outputUsdPerMTok: 30 },
    capabilities: CHAT_TOOLS_VISION,
  },
  {
    // The undated id points at -0125; priced as that snapshot.
    canonicalName: 'gpt-3.5-turbo',
    kind: 'openai',
    providerModelId: 'gpt-3.5-turbo',
    aliases: ['gpt-3.5-turbo-0125'],
    contextWindow: 16_385,
    maxOutputTokens: 4_096,
    price: { inputUsdPerMTok: 0.5, outputUsdPerMTok: 1.5 },
    capabilities: CHAT_TOOLS,
  },
  {
    canonicalName: 'gpt-4.1',
    kind: 'openai',
    providerModelId: 'gpt-4.1',
    aliases: ['gpt-4.1-2025-04-14'],
    contextWindow: 1_047_576,
    maxOutputTokens: 32_768,
    price: { inputUsdPerMTok: 2, outputUsdPerMTok: 8, cachedInputUsdPerMTok: 0.5 },
    capabilities: CHAT_TOOLS_VISION,
  },
  {
    canonicalName: 'gpt-4.1-mini',
    kind: 'openai',
    providerModelId: 'gpt-4.1-mini',
    aliases: ['gpt-4.1-mini-2025-04-14'],
    contextWindow: 1_047_576,
    maxOutputTokens: 32_768,
    price: { inputUsdPerMTok: 0.4, outputUsdPerMTok: 1.6, cachedInputUsdPerMTok: 0.1 },
    capabilities: CHAT_TOOLS_VISION,
  },
  {
    canonicalName: 'gpt-4.1-nano',
    kind: 'openai',
    providerModelId: 'gpt-4.1-nano',
    aliases: ['gpt-4.1-nano-2025-04-14'],
    contextWindow: 1_047_576,
    maxOutputTokens: 32_768,
    price: { inputUsdPerMTok: 0.1, outputUsdPerMTok: 0.4, cachedInputUsdPerMTok: 0.025 },
    capabilities: CHAT_TOOLS_VISION,
  },
  {
    canonicalName: 'o1',
    kind: 'openai',
    reasoning: true,
    providerModelId: 'o1',
    aliases: ['o1-2024-12-17'],
    contextWindow: 200_000,
    maxOutputTokens: 100_000,
    price: { inputUsdPerMTok: 15, outputUsdPerMTok: 60, cachedInputUsdPerMTok: 7.5 },
    capabilities: CHAT_TOOLS_VISION,
  },
  {
    canonicalName: 'o1-mini',
    kind: 'openai',
    reasoning: true,
    providerModelId: 'o1-mini',
    aliases: ['o1-mini-2024-09-12'],
    contextWindow: 128_000,
    maxOutputTokens: 65_536,
    price: { inputUsdPerMTok: 3, outputUsdPerMTok: 12, cachedInputUsdPerMTok: 1.5 },
    capabilities: CHAT_ONLY,
  },
  {
    canonicalName: 'o3-mini',
    kind: 'openai',
    reasoning: true,
    providerModelId: 'o3-mini',
    aliases: ['o3-mini-2025-01-31'],
    contextWindow: 200_000,
    maxOutputTokens: 100_000,
    price: { inputUsdPerMTok: 1.1, outputUsdPerMTok: 4.4, cachedInputUsdPerMTok: 0.55 },
    capabilities: CHAT_TOOLS,
  },
  {
    canonicalName: 'text-embedding-3-small',
    kind: 'openai',
    providerModelId: 'text-embedding-3-small',
    aliases: [],
    contextWindow: 8_191,
    maxOutputTokens: 0,
    price: { inputUsdPerMTok: 0.02, outputUsdPerMTok: 0 },
    capabilities: EMBEDDINGS,
  },
  {
    canonicalName: 'text-embedding-3-large',
    kind: 'openai',
    providerModelId: 'text-embedding-3-large',
    aliases: [],
    contextWindow: 8_191,
    maxOutputTokens: 0,
    price: { inputUsdPerMTok: 0.13, outputUsdPerMTok: 0 },
    capabilities: EMBEDDINGS,
  },
];

const ANTHROPIC_MODELS: readonly CatalogModel[] = [
  {
    canonicalName: 'claude-3-5-sonnet',
    kind: 'anthropic',
    providerModelId: 'claude-3-5-sonnet-20241022',
    aliases: ['claude-3-5-sonnet-latest', 'claude-3-5-sonnet-20241022'],
    contextWindow: 200_000,
    maxOutputTokens: 8_192,
    price: { inputUsdPerMTok: 3, outputUsdPerMTok: 15, cachedInputUsdPerMTok: 0.3 },
    capabilities: CHAT_TOOLS_VISION,
  },
  {
    canonicalName: 'claude-3-5-sonnet-20240620',
    kind: 'anthropic',
    providerModelId: 'claude-3-5-sonnet-20240620',
    aliases: [],
    contextWindow: 200_000,
    maxOutputTokens: 8_192,
    price: { inputUsdPerMTok: 3, outputUsdPerMTok: 15, cachedInputUsdPerMTok: 0.3 },
    capabilities: CHAT_TOOLS_VISION,
  },
  {
    canonicalName: 'claude-3-opus',
    kind: 'anthropic',
    providerModelId: 'claude-3-opus-20240229',
    aliases: ['claude-3-opus-latest', 'claude-3-opus-20240229'],
    contextWindow: 200_000,
    maxOutputTokens: 4_096,
    price: { inputUsdPerMTok: 15, outputUsdPerMTok: 75, cachedInputUsdPerMTok: 1.5 },
    capabilities: CHAT_TOOLS_VISION,
  },
  {
    canonicalName: 'claude-3-haiku',
    kind: 'anthropic',
    providerModelId: 'claude-3-haiku-20240307',
    aliases: ['claude-3-haiku-20240307'],
    contextWindow: 200_000,
    maxOutputTokens: 4_096,
    price: { inputUsdPerMTok: 0.25, outputUsdPerMTok: 1.25, cachedInputUsdPerMTok: 0.03 },
    capabilities: CHAT_TOOLS_VISION,
  },
  {
    canonicalName: 'claude-3-5-haiku',
    kind: 'anthropic',
    providerModelId: 'claude-3-5-haiku-20241022',
    aliases: ['claude-3-5-haiku-latest', 'claude-3-5-haiku-20241022'],
    contextWindow: 200_000,
    maxOutputTokens: 8_192,
    price: { inputUsdPerMTok: 0.8, outputUsdPerMTok: 4, cachedInputUsdPerMTok: 0.08 },
    capabilities: CHAT_TOOLS_VISION,
  },
  {
    canonicalName: 'claude-3-7-sonnet',
    kind: 'anthropic',
    providerModelId: 'claude-3-7-sonnet-20250219',
    aliases: ['claude-3-7-sonnet-latest', 'claude-3-7-sonnet-20250219'],
    contextWindow: 200_000,
    maxOutputTokens: 64_000,
    price: { inputUsdPerMTok: 3, outputUsdPerMTok: 15, cachedInputUsdPerMTok: 0.3 },
    capabilities: CHAT_TOOLS_VISION,
  },
  {
    canonicalName: 'claude-sonnet-4',
    kind: 'anthropic',
    providerModelId: 'claude-sonnet-4-20250514',
    aliases: ['claude-sonnet-4-0', 'claude-sonnet-4-20250514'],
    contextWindow: 200_000,
    maxOutputTokens: 64_000,
    price: { inputUsdPerMTok: 3, outputUsdPerMTok: 15, cachedInputUsdPerMTok: 0.3 },
    capabilities: CHAT_TOOLS_VISION,
  },
  {
    canonicalName: 'claude-opus-4',
    kind: 'anthropic',
    providerModelId: 'claude-opus-4-20250514',
    aliases: ['claude-opus-4-0', 'claude-opus-4-20250514'],
    contextWindow: 200_000,
    maxOutputTokens: 32_000,
    price: { inputUsdPerMTok: 15, outputUsdPerMTok: 75, cachedInputUsdPerMTok: 1.5 },
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

const AZURE_OPENAI_MODELS: readonly CatalogModel[] = [
  {
    canonicalName: 'gpt-4o',
    kind: 'azure-openai',
    providerModelId: 'gpt-4o',
    aliases: [],
    contextWindow: 128_000,
    maxOutputTokens: 16_384,
    price: { inputUsdPerMTok: 2.5, outputUsdPerMTok: 10, cachedInputUsdPerMTok: 1.25 },
    capabilities: CHAT_TOOLS_VISION,
  },
  {
    canonicalName: 'gpt-4o-mini',
    kind: 'azure-openai',
    providerModelId: 'gpt-4o-mini',
    aliases: [],
    contextWindow: 128_000,
    maxOutputTokens: 16_384,
    price: { inputUsdPerMTok: 0.15, outputUsdPerMTok: 0.6, cachedInputUsdPerMTok: 0.075 },
    capabilities: CHAT_TOOLS_VISION,
  },
  {
    canonicalName: 'text-embedding-3-small',
    kind: 'azure-openai',
    providerModelId: 'text-embedding-3-small',
    aliases: [],
    contextWindow: 8_191,
    maxOutputTokens: 0,
    price: { inputUsdPerMTok: 0.02, outputUsdPerMTok: 0 },
    capabilities: EMBEDDINGS,
  },
];

export const MODEL_CATALOG: readonly CatalogModel[] = [
  ...OPENAI_MODELS,
  ...ANTHROPIC_MODELS,
  ...BEDROCK_MODELS,
  ...GEMINI_MODELS,
  ...AZURE_OPENAI_MODELS,
];
