import type { CompletionUsage } from '@ai-gateway/openai-api';
import type { AnthropicUsage } from './anthropic.types';

/** Anthropic usage as OpenAI usage: prompt tokens count the cached and cache-writing input too. */
export function toOpenAiUsage(usage: AnthropicUsage): CompletionUsage {
  const cacheRead = usage.cache_read_input_tokens ?? 0;
  const promptTokens = (usage.input_tokens ?? 0) + (usage.cache_creation_input_tokens ?? 0) + cacheRead;
  const completionTokens = usage.output_tokens ?? 0;
  return {
    prompt_tokens: promptTokens,
    completion_tokens: completionTokens,
    total_tokens: promptTokens + completionTokens,
    prompt_tokens_details: { cached_tokens: cacheRead },
  };
}
