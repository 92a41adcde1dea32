import type { CompletionUsage } from '@ai-gateway/openai-api';
import type { Usage } from '@ai-gateway/proto';

/** More tokens than any request has: a count above it is the provider's nonsense, not usage. */
export const MAX_TOKEN_COUNT = 1_000_000_000;

/**
 * OpenAI usage counts (as a provider or a translator reported them) in the gRPC form. A count is
 * the provider's text: anything but a finite number is 0, a fraction is rounded down and a count
 * is bounded to 0..MAX_TOKEN_COUNT, so no answer can make a usage event that will not encode as
 * int64, charge a negative amount, or reset a tokens-per-minute window.
 */
export function grpcUsage(usage: Partial<CompletionUsage>): Usage {
  return {
    promptTokens: tokenCount(usage.prompt_tokens),
    completionTokens: tokenCount(usage.completion_tokens),
    totalTokens: tokenCount(usage.total_tokens),
    cachedPromptTokens: tokenCount(usage.prompt_tokens_details?.cached_tokens),
    reasoningTokens: tokenCount(usage.completion_tokens_details?.reasoning_tokens),
  };
}

function tokenCount(value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) return 0;
  return Math.min(Math.floor(value), MAX_TOKEN_COUNT);
}
