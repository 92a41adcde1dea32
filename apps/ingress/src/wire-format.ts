import type { IncomingMessage, IncomingHttpHeaders } from 'node:http';

/** Requests answered in Anthropic's shapes (the /v1/messages routes, and /v1/models asked with `anthropic-version`). */
const anthropicRequests = new WeakSet<IncomingMessage>();

/** Routes of Anthropic's API. */
const ANTHROPIC_ROUTES = new Set(['/v1/messages', '/v1/messages/count_tokens']);

/**
 * Marks a routed request, before anything may answer it (the edge's own refusals included), as
 * Anthropic's when it is on one of Anthropic's routes, or on /v1/models with `anthropic-version`
 * (Claude-native clients send it with every call).
 */
export function markWireFormat(request: IncomingMessage, route: string | undefined): void {
  if (route === undefined) return;
  if (ANTHROPIC_ROUTES.has(route) || (route === '/v1/models' && typeof request.headers['anthropic-version'] === 'string')) anthropicRequests.add(request);
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
