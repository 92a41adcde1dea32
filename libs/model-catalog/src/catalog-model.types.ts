/** Catalog kinds: the provider kinds, and `openai-compatible` for models only OpenAI-compatible servers that declare them serve. */
export const PROVIDER_KINDS = ['openai', 'anthropic', 'bedrock', 'gemini', 'azure-openai', 'openai-compatible'] as const;

export type ProviderKind = (typeof PROVIDER_KINDS)[number];

/** A catalog entry's kind: a provider kind, or `added` for a model an operator added (model-override.ts). */
export type CatalogKind = ProviderKind | 'added';

/** USD per 1M tokens. */
export interface ModelPrice {
  readonly inputUsdPerMTok: number;
  readonly outputUsdPerMTok: number;
  /** Prompt-cache reads; when absent, cached input is priced as input. */
  readonly cachedInputUsdPerMTok?: number;
}

export interface ModelCapabilities {
  readonly tools: boolean;
  readonly vision: boolean;
  readonly streaming: boolean;
  readonly embeddings: boolean;
}

/** One model as one provider kind serves it. */
export interface CatalogModel {
  /** The name clients use; the same across kinds serving the same model. */
  readonly canonicalName: string;
  readonly kind: CatalogKind;
  /** What the provider's API expects in its request. */
  readonly providerModelId: string;
  readonly aliases: readonly string[];
  readonly contextWindow: number;
  /** 0 for embedding models. */
  readonly maxOutputTokens: number;
  readonly price: ModelPrice;
  readonly capabilities: ModelCapabilities;
  /** Thinks before its first token (o1, o3-mini): routing waits longer for it. */
  readonly reasoning?: boolean;
}

export interface TokenUsage {
  readonly promptTokens: number;
  readonly completionTokens: number;
  /** Part of promptTokens that was read from the provider's prompt cache. */
  readonly cachedPromptTokens?: number;
}
