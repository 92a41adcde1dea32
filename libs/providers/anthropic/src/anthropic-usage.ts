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

/**
 * OpenAI usage as Anthropic reports it (the reverse of toOpenAiUsage): cached prompt tokens are
 * cache reads and leave `input_tokens`, so toOpenAiUsage gives the same numbers back. OpenAI
 * reports no cache writes.
 */
export function toAnthropicUsage(usage: CompletionUsage | null | undefined): Required<AnthropicUsage> {
  const cacheRead = Math.min(usage?.prompt_tokens_details?.cached_tokens ?? 0, usage?.prompt_tokens ?? 0);
  return {
    input_tokens: (usage?.prompt_tokens ?? 0) - cacheRead,
    cache_creation_input_tokens: 0,
    cache_read_input_tokens: cacheRead,
    output_tokens: usage?.completion_tokens ?? 0,
  };
}
