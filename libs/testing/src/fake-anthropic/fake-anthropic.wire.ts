import { createHash, randomBytes } from 'node:crypto';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** An id shaped like Anthropic's (`msg_01…`, `toolu_01…`, `req_01…`). */
export function anthropicId(prefix: 'msg' | 'toolu' | 'req'): string {
  const bytes = randomBytes(22);
  return `${prefix}_01${Array.from(bytes, (byte) => ALPHABET[byte % ALPHABET.length]).join('')}`;
}

export const ERROR_TYPE_BY_STATUS: Readonly<Record<number, string>> = {
  400: 'invalid_request_error',
  401: 'authentication_error',
  402: 'billing_error',
  403: 'permission_error',
  404: 'not_found_error',
  413: 'request_too_large',
  429: 'rate_limit_error',
  500: 'api_error',
  504: 'timeout_error',
  529: 'overloaded_error',
};

export function errorBody(type: string, message: string, requestId: string): string {
  return JSON.stringify({ type: 'error', error: { type, message }, request_id: requestId });
}

/** One named SSE event the way Anthropic writes it: `event:` line, `data:` line, blank line. */
export function sseEvent(data: { type: string }): string {
  return `event: ${data.type}\ndata: ${JSON.stringify(data)}\n\n`;
}

function rfc3339(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** `anthropic-ratelimit-*` headers; every response carries them. */
export function rateLimitHeaders(nowMs: number, exhausted: boolean): Record<string, string> {
  const buckets: Array<[string, number]> = [
    ['requests', 50],
    ['tokens', 40_000],
    ['input-tokens', 30_000],
    ['output-tokens', 10_000],
  ];
  const headers: Record<string, string> = {};
  for (const [bucket, limit] of buckets) {
    headers[`anthropic-ratelimit-${bucket}-limit`] = String(limit);
    headers[`anthropic-ratelimit-${bucket}-remaining`] = String(exhausted && bucket === 'requests' ? 0 : limit - 1);
    headers[`anthropic-ratelimit-${bucket}-reset`] = rfc3339(nowMs + 60_000);
  }
  return headers;
}

/** The fake's thinking signature: bound to the model and the text, as a real one proves authorship to the model that wrote it. */
export function thinkingSignature(model: string, thinking: string): string {
  return createHash('sha256').update(`${model}\n${thinking}`).digest('base64');
}
