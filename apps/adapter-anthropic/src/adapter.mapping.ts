import type { CompletionUsage } from '@ai-gateway/openai-api';
import type { Header, Usage } from '@ai-gateway/proto';

/** Upstream (undici) headers as one lowercase string per name; repeated values are joined with ", ". */
export function flatHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  const flat: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) flat[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }
  return flat;
}

/** The client's forwarded headers (gRPC list) as a record keyed by lowercase name. */
export function clientHeaders(headers: readonly Header[]): Record<string, string> {
  return Object.fromEntries(headers.map(({ name, value }) => [name.toLowerCase(), value]));
}

/** The wait the provider asked for, in ms: `retry-after-ms`, else `retry-after` in seconds or as an HTTP date; 0 when none. */
export function toGrpcUsage(usage: CompletionUsage): Usage {
  return {
    promptTokens: usage.prompt_tokens,
    completionTokens: usage.completion_tokens,
    totalTokens: usage.total_tokens,
    cachedPromptTokens: usage.prompt_tokens_details?.cached_tokens ?? 0,
    reasoningTokens: usage.completion_tokens_details?.reasoning_tokens ?? 0,
  };
}
