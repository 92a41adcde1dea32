import type { Usage } from '@ai-gateway/proto';

/** The router's rough rate (apps/router route.executor.ts estimateUsage): about 4 bytes of a JSON body per prompt token. */
const BYTES_PER_TOKEN = 4;

/**
 * What a client was sent of a stream the gateway cut after content, counted as the router counts a
 * stream cut without the provider's counts: a token per content chunk delivered, the prompt from
 * the request body's size. Undefined when no content reached the client. Flag it `usageEstimated`.
 */
export function interruptedStreamUsage(chunksSent: number, bodyBytes: number): Usage | undefined {
  if (chunksSent <= 0) return undefined;
  const promptTokens = Math.ceil(bodyBytes / BYTES_PER_TOKEN);
  return { promptTokens, completionTokens: chunksSent, totalTokens: promptTokens + chunksSent, cachedPromptTokens: 0, reasoningTokens: 0 };
}
