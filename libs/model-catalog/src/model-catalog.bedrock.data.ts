/*
 * The models the `bedrock` kind serves (AWS Bedrock Runtime, Converse and InvokeModel).
 *
 * Sources:
 * - BerriAI/litellm `model_prices_and_context_window.json`: on-demand prices (us-east-1),
 *   context windows and output limits, unless noted on the entry.
 * - AWS, "Supported foundation models in Amazon Bedrock" and "Supported Regions and models for
 *   inference profiles" (docs.aws.amazon.com/bedrock): model ids; models that Bedrock serves
 *   only through a cross-region inference profile carry its `us.` id.
 * - AWS, "Amazon Bedrock pricing" (aws.amazon.com/bedrock/pricing): prompt-cache read prices
 *   (Claude: 10% of input; Nova: 25% of input).
 *
 * Claude models share their canonical names with the `anthropic` kind's entries, so
 * `claude-3-5-sonnet` resolves to both kinds and a fallback map can name either
 * (`gpt-4o` → `claude-3-5-sonnet`, or pinned: `bedrock/claude-3-5-sonnet`). Llama, Nova, Titan
 * and Cohere models are known by their Bedrock ids.
 */
import type { CatalogModel, ModelCapabilities } from './catalog-model.types';

const CHAT_TOOLS_VISION: ModelCapabilities = { tools: true, vision: true, streaming: true, embeddings: false };
const CHAT_TOOLS: ModelCapabilities = { tools: true, vision: false, streaming: true, embeddings: false };
const CHAT_ONLY: ModelCapabilities = { tools: false, vision: false, streaming: true, embeddings: false };
const EMBEDDINGS: ModelCapabilities = { tools: false, vision: false, streaming: false, embeddings: true };

const claude = (canonicalName: string, providerModelId: string, fields: Pick<CatalogModel, 'maxOutputTokens' | 'price'> & Partial<CatalogModel>): CatalogModel => ({
  canonicalName,
  kind: 'bedrock',
  providerModelId,
  aliases: [],
  contextWindow: 200_000,
  capabilities: CHAT_TOOLS_VISION,
  ...fields,
});

const byId = (providerModelId: string, fields: Omit<CatalogModel, 'canonicalName' | 'kind' | 'providerModelId' | 'aliases'>): CatalogModel => ({
  canonicalName: providerModelId,
  kind: 'bedrock',
  providerModelId,
  aliases: [],
  ...fields,
});

const CLAUDE: readonly CatalogModel[] = [
  claude('claude-3-5-sonnet', 'anthropic.claude-3-5-sonnet-20241022-v2:0', { maxOutputTokens: 8_192, price: { inputUsdPerMTok: 3, outputUsdPerMTok: 15 } }),
  claude('claude-3-5-sonnet-20240620', 'anthropic.claude-3-5-sonnet-20240620-v1:0', { maxOutputTokens: 4_096, price: { inputUsdPerMTok: 3, outputUsdPerMTok: 15 } }),
  // Served through the cross-region inference profile (the `us.` prefix); text only on Bedrock.
  claude('claude-3-5-haiku', 'us.anthropic.claude-3-5-haiku-20241022-v1:0', {
    maxOutputTokens: 8_192,
    price: { inputUsdPerMTok: 0.8, outputUsdPerMTok: 4, cachedInputUsdPerMTok: 0.08 },
    capabilities: CHAT_TOOLS,
  }),
  claude('claude-3-haiku', 'anthropic.claude-3-haiku-20240307-v1:0', { maxOutputTokens: 4_096, price: { inputUsdPerMTok: 0.25, outputUsdPerMTok: 1.25 } }),
  claude('claude-3-opus', 'us.anthropic.claude-3-opus-20240229-v1:0', { maxOutputTokens: 4_096, price: { inputUsdPerMTok: 15, outputUsdPerMTok: 75 } }),
  claude('claude-3-7-sonnet', 'us.anthropic.claude-3-7-sonnet-20250219-v1:0', {
    maxOutputTokens: 8_192,
    price: { inputUsdPerMTok: 3, outputUsdPerMTok: 15, cachedInputUsdPerMTok: 0.3 },
  }),
  claude('claude-sonnet-4', 'us.anthropic.claude-sonnet-4-20250514-v1:0', {
    maxOutputTokens: 64_000,
    price: { inputUsdPerMTok: 3, outputUsdPerMTok: 15, cachedInputUsdPerMTok: 0.3 },
  }),
  claude('claude-opus-4', 'us.anthropic.claude-opus-4-20250514-v1:0', {
    maxOutputTokens: 32_000,
    price: { inputUsdPerMTok: 15, outputUsdPerMTok: 75, cachedInputUsdPerMTok: 1.5 },
  }),
];

const LLAMA: readonly CatalogModel[] = [
  byId('meta.llama3-8b-instruct-v1:0', { contextWindow: 8_192, maxOutputTokens: 8_192, price: { inputUsdPerMTok: 0.3, outputUsdPerMTok: 0.6 }, capabilities: CHAT_ONLY }),
  byId('meta.llama3-70b-instruct-v1:0', { contextWindow: 8_192, maxOutputTokens: 8_192, price: { inputUsdPerMTok: 2.65, outputUsdPerMTok: 3.5 }, capabilities: CHAT_ONLY }),
  byId('meta.llama3-1-8b-instruct-v1:0', { contextWindow: 128_000, maxOutputTokens: 2_048, price: { inputUsdPerMTok: 0.22, outputUsdPerMTok: 0.22 }, capabilities: CHAT_TOOLS }),
  byId('meta.llama3-1-70b-instruct-v1:0', { contextWindow: 128_000, maxOutputTokens: 2_048, price: { inputUsdPerMTok: 0.99, outputUsdPerMTok: 0.99 }, capabilities: CHAT_TOOLS }),
  byId('us.meta.llama3-3-70b-instruct-v1:0', { contextWindow: 128_000, maxOutputTokens: 4_096, price: { inputUsdPerMTok: 0.72, outputUsdPerMTok: 0.72 }, capabilities: CHAT_TOOLS }),
];

const NOVA: readonly CatalogModel[] = [
  byId('amazon.nova-micro-v1:0', {
    contextWindow: 128_000,
    maxOutputTokens: 5_000,
    price: { inputUsdPerMTok: 0.035, outputUsdPerMTok: 0.14, cachedInputUsdPerMTok: 0.00875 },
    capabilities: CHAT_TOOLS,
  }),
  byId('amazon.nova-lite-v1:0', {
    contextWindow: 300_000,
    maxOutputTokens: 5_000,
    price: { inputUsdPerMTok: 0.06, outputUsdPerMTok: 0.24, cachedInputUsdPerMTok: 0.015 },
    capabilities: CHAT_TOOLS_VISION,
  }),
  byId('amazon.nova-pro-v1:0', {
    contextWindow: 300_000,
    maxOutputTokens: 5_000,
    price: { inputUsdPerMTok: 0.8, outputUsdPerMTok: 3.2, cachedInputUsdPerMTok: 0.2 },
    capabilities: CHAT_TOOLS_VISION,
  }),
];

const EMBEDDING_MODELS: readonly CatalogModel[] = [
  // $0.00002 per 1K tokens (AWS Bedrock pricing).
  byId('amazon.titan-embed-text-v2:0', { contextWindow: 8_192, maxOutputTokens: 0, price: { inputUsdPerMTok: 0.02, outputUsdPerMTok: 0 }, capabilities: EMBEDDINGS }),
  byId('amazon.titan-embed-text-v1', { contextWindow: 8_192, maxOutputTokens: 0, price: { inputUsdPerMTok: 0.1, outputUsdPerMTok: 0 }, capabilities: EMBEDDINGS }),
  byId('cohere.embed-english-v3', { contextWindow: 512, maxOutputTokens: 0, price: { inputUsdPerMTok: 0.1, outputUsdPerMTok: 0 }, capabilities: EMBEDDINGS }),
  byId('cohere.embed-multilingual-v3', { contextWindow: 512, maxOutputTokens: 0, price: { inputUsdPerMTok: 0.1, outputUsdPerMTok: 0 }, capabilities: EMBEDDINGS }),
];

export const BEDROCK_MODELS: readonly CatalogModel[] = [...CLAUDE, ...LLAMA, ...NOVA, ...EMBEDDING_MODELS];
