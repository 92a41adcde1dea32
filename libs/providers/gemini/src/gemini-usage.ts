import type { CompletionUsage } from '@ai-gateway/openai-api';
import type { GeminiUsageMetadata } from './gemini.types';

/**
 * Gemini usageMetadata as OpenAI usage: thinking tokens are billed as output, so they count in
 * completion_tokens and again as reasoning_tokens; cached prompt tokens are part of the prompt.
 */
export function toOpenAiUsage(usage: GeminiUsageMetadata): CompletionUsage {
  const promptTokens = (usage.promptTokenCount ?? 0) + (usage.toolUsePromptTokenCount ?? 0);
  const reasoningTokens = usage.thoughtsTokenCount ?? 0;
  const completionTokens = (usage.candidatesTokenCount ?? 0) + reasoningTokens;
  return {
    prompt_tokens: promptTokens,
    completion_tokens: completionTokens,
    total_tokens: promptTokens + completionTokens,
    prompt_tokens_details: { cached_tokens: usage.cachedContentTokenCount ?? 0 },
    completion_tokens_details: { reasoning_tokens: reasoningTokens },
  };
}
