import type { CompletionUsage } from '@ai-gateway/openai-api';
import type { Usage } from '@ai-gateway/proto';

/** OpenAI usage counts (as a provider or a translator reported them) in the gRPC form; missing counts are 0. */
export function grpcUsage(usage: Partial<CompletionUsage>): Usage {
  return {
    promptTokens: usage.prompt_tokens ?? 0,
    completionTokens: usage.completion_tokens ?? 0,
    totalTokens: usage.total_tokens ?? 0,
    cachedPromptTokens: usage.prompt_tokens_details?.cached_tokens ?? 0,
    reasoningTokens: usage.completion_tokens_details?.reasoning_tokens ?? 0,
  };
}
