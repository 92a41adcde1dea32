import type { CompletionUsage } from '@ai-gateway/openai-api';
import type { BedrockUsage } from './bedrock.types';

const count = (value: unknown): number => (typeof value === 'number' && Number.isFinite(value) && value > 0 ? Math.floor(value) : 0);

/**
 * Converse usage as OpenAI usage. Bedrock's inputTokens leaves out the prompt-cache tokens, so
 * prompt tokens add the cache reads and writes back (OpenAI's prompt_tokens is the whole prompt)
 * and cached_tokens names the reads, which are priced lower.
 */
export function toOpenAiUsage(usage: BedrockUsage | undefined): CompletionUsage {
  const cacheRead = count(usage?.cacheReadInputTokens);
  const promptTokens = count(usage?.inputTokens) + cacheRead + count(usage?.cacheWriteInputTokens);
  const completionTokens = count(usage?.outputTokens);
  return {
    prompt_tokens: promptTokens,
    completion_tokens: completionTokens,
    total_tokens: promptTokens + completionTokens,
    prompt_tokens_details: { cached_tokens: cacheRead },
  };
}
