import type { IncomingMessage, IncomingHttpHeaders } from 'node:http';

/** Requests answered in Anthropic's shapes (the /v1/messages routes, and /v1/models asked with `anthropic-version`). */
const anthropicRequests = new WeakSet<IncomingMessage>();

export function markAnthropicFormat(request: IncomingMessage): void {
  anthropicRequests.add(request);
}

export function isAnthropicFormat(request: IncomingMessage): boolean {
  return anthropicRequests.has(request);
}

/**
 * The gateway key as an `Authorization` value: the header itself, else Anthropic's `x-api-key`
 * (what Claude-native clients send) as a bearer token.
 */
export function gatewayCredential(headers: IncomingHttpHeaders): string | undefined {
  if (headers.authorization) return headers.authorization;
  const apiKey = headers['x-api-key'];
  return typeof apiKey === 'string' && apiKey.length > 0 ? `Bearer ${apiKey}` : undefined;
}
