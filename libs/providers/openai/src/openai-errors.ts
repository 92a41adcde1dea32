import type { ProviderError } from '@ai-gateway/openai-api';

const KEY_SHAPE = /(sk-[A-Za-z0-9_*-]{4,}|gw-[A-Za-z0-9_-]{8,})/g;

/** Client status for a provider's status (CONTRACT.md): provider credential problems are the gateway's, not the client's. */
export function clientStatusFor(upstreamStatus: number): number {
  if (PASSED_THROUGH.has(upstreamStatus)) return upstreamStatus;
  if (upstreamStatus === 422) return 400;
  if (upstreamStatus === 408 || upstreamStatus === 504) return 504;
  return 502;
}

const PASSED_THROUGH = new Set([400, 404, 413, 429]);

export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 409 || status === 429 || status >= 500;
}

/** An OpenAI-compatible provider's error answer, in the gateway's terms; key-shaped text scrubbed. */
export function openAiProviderError(upstreamStatus: number, bodyText: string): ProviderError {
  let type = upstreamStatus >= 500 ? 'server_error' : 'invalid_request_error';
  let code: string | null = null;
  let param: string | null = null;
  let message = `provider answered HTTP ${upstreamStatus}`;
  try {
    const parsed = JSON.parse(bodyText) as { error?: { message?: unknown; type?: unknown; code?: unknown; param?: unknown } };
    const error = parsed.error;
    if (error && typeof error === 'object') {
      if (typeof error.message === 'string') message = error.message;
      if (typeof error.type === 'string') type = error.type;
      if (typeof error.code === 'string') code = error.code;
      if (typeof error.param === 'string') param = error.param;
    }
  } catch {
    // not JSON: keep the generic message
  }
  if (upstreamStatus === 429 && type === 'invalid_request_error') type = 'rate_limit_exceeded';
  return {
    status: clientStatusFor(upstreamStatus),
    upstreamStatus,
    type,
    code,
    param,
    message: message.replace(KEY_SHAPE, '[redacted]'),
    retryable: isRetryableStatus(upstreamStatus),
  };
}

// OpenAI names a rate limit by type `requests`/`tokens` with code `rate_limit_exceeded`
// (openai-node `src/core/error.ts`); compatible servers use the code or type alone.
const RATE_LIMIT_NAMES = new Set(['requests', 'tokens', 'rate_limit_exceeded', 'rate_limit_error', 'insufficient_quota']);
const OVERLOAD_NAMES = new Set(['overloaded', 'overloaded_error', 'service_unavailable', 'server_overloaded']);

/**
 * A JSON object that is an OpenAI stream error event (`{"error": {...}}`), else undefined. Its
 * upstreamStatus is the status its type or code stands for — a rate limit 429, an overload 503,
 * the request's own error 400, anything else a server error 500 — so the router treats it like
 * the same error as an answer.
 */
export function streamErrorOf(payload: string): ProviderError | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(payload);
  } catch {
    return undefined;
  }
  const error = (parsed as { error?: unknown } | null)?.error;
  if (typeof error !== 'object' || error === null) return undefined;
  const { type, code } = error as { type?: unknown; code?: unknown };
  const names = [type, code].filter((name): name is string => typeof name === 'string');
  const upstreamStatus = names.some((name) => RATE_LIMIT_NAMES.has(name))
    ? 429
    : names.some((name) => OVERLOAD_NAMES.has(name))
      ? 503
      : names.includes('invalid_request_error')
        ? 400
        : 500;
  return openAiProviderError(upstreamStatus, payload);
}
