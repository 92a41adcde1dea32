import { readLimited, type UpstreamClient } from '@ai-gateway/provider-http';
import { TOKEN_REQUEST_TIMEOUT_MS, type TokenEndpointPost } from './entra-token.cache';

/** A token answer is well under 8 KiB; more than this is not a token answer. */
export const MAX_ENTRA_ANSWER_BYTES = 64 * 1024;

/** The token endpoint POST over the adapter's connection pools, its answer read up to `maxBytes`. */
export function entraTokenPost(upstream: UpstreamClient, maxBytes: number): TokenEndpointPost {
  const limits = { headersMs: TOKEN_REQUEST_TIMEOUT_MS, firstTokenMs: TOKEN_REQUEST_TIMEOUT_MS, idleMs: TOKEN_REQUEST_TIMEOUT_MS, deadlineUnixMs: 0 };
  return async (url, form, signal) => {
    const response = await upstream.post(url, { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' }, form, limits, signal);
    return { status: response.status, text: await readLimited(response, maxBytes) };
  };
}
