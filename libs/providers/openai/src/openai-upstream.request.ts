import type { ChatCompletionRequest } from '@ai-gateway/openai-api';

/**
 * The body to send an OpenAI-compatible provider: the client's bytes as they are, unless
 * the model id differs (alias, pinned `provider/model`) or a stream must ask for usage
 * (the gateway always counts tokens; the client sees the usage chunk only if it asked).
 */
export function openAiUpstreamBody(raw: Uint8Array, request: ChatCompletionRequest, model: string): { body: Uint8Array | string; usageForced: boolean } {
  const needsUsage = request.stream === true && request.stream_options?.include_usage !== true;
  if (request.model === model && !needsUsage) return { body: raw, usageForced: false };
  const rewritten: ChatCompletionRequest = { ...request, model };
  if (needsUsage) rewritten.stream_options = { ...(request.stream_options ?? {}), include_usage: true };
  return { body: JSON.stringify(rewritten), usageForced: needsUsage };
}

export function openAiRequestHeaders(apiKey: string): Record<string, string> {
  return { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json', accept: 'application/json' };
}
