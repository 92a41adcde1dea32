import type { ProviderError } from '@ai-gateway/openai-api';

interface ClientErrorShape {
  status: number;
  type: string;
  code: string | null;
}

// Anthropic error type → what the gateway's client sees (CONTRACT.md statuses only).
// billing_error: OpenAI signals an exhausted account as 429 insufficient_quota, so we do
// the same instead of passing 402 (outside the contract) through; it is not retryable.
const BY_ANTHROPIC_TYPE: Readonly<Record<string, ClientErrorShape>> = {
  invalid_request_error: { status: 400, type: 'invalid_request_error', code: null },
  authentication_error: { status: 401, type: 'authentication_error', code: 'invalid_api_key' },
  billing_error: { status: 429, type: 'insufficient_quota', code: 'insufficient_quota' },
  permission_error: { status: 403, type: 'permission_error', code: null },
  not_found_error: { status: 404, type: 'not_found_error', code: 'model_not_found' },
  conflict_error: { status: 400, type: 'invalid_request_error', code: 'conflict' },
  request_too_large: { status: 413, type: 'invalid_request_error', code: 'request_too_large' },
  rate_limit_error: { status: 429, type: 'rate_limit_exceeded', code: 'rate_limit_exceeded' },
  api_error: { status: 502, type: 'api_error', code: null },
  timeout_error: { status: 504, type: 'timeout_error', code: null },
  overloaded_error: { status: 503, type: 'server_error', code: 'overloaded' },
};

const TYPE_BY_STATUS: Readonly<Record<number, string>> = {
  400: 'invalid_request_error',
  401: 'authentication_error',
  402: 'billing_error',
  403: 'permission_error',
  404: 'not_found_error',
  408: 'timeout_error',
  409: 'conflict_error',
  413: 'request_too_large',
  429: 'rate_limit_error',
  500: 'api_error',
  504: 'timeout_error',
  529: 'overloaded_error',
};

/**
 * The HTTP status an error type stands for when it arrives as an event inside a 200 stream, so
 * the router treats an in-stream overload like a 529 answer (PROVIDERS.md §2 error table).
 */
const STATUS_BY_TYPE: Readonly<Record<string, number>> = Object.fromEntries(
  Object.entries(TYPE_BY_STATUS)
    .filter(([status]) => status !== '408')
    .map(([status, type]) => [type, Number(status)]),
);

/** Error types that are transient when they arrive inside a 200 stream. */
const TRANSIENT_TYPES = new Set(['overloaded_error', 'api_error', 'rate_limit_error', 'timeout_error']);

/** Anthropic's failure (an HTTP error response) in the gateway's terms. */
export function anthropicHttpError(upstreamStatus: number, bodyText: string): ProviderError {
  const parsed = parseAnthropicErrorBody(bodyText);
  const anthropicType = parsed?.type ?? TYPE_BY_STATUS[upstreamStatus] ?? (upstreamStatus >= 500 ? 'api_error' : 'invalid_request_error');
  return {
    ...clientShape(anthropicType),
    upstreamStatus,
    param: null,
    message: redactApiKeys(parsed?.message || `Anthropic returned HTTP ${upstreamStatus}.`),
    retryable: isTransientStatus(upstreamStatus),
  };
}

/**
 * An `error` event inside a 200 stream in the gateway's terms; upstreamStatus is the status its
 * type stands for (overloaded_error 529, rate_limit_error 429, api_error 500, ...).
 */
export function anthropicStreamError(error: { type?: unknown; message?: unknown }): ProviderError {
  const anthropicType = typeof error.type === 'string' && error.type in BY_ANTHROPIC_TYPE ? error.type : 'api_error';
  const message = typeof error.message === 'string' && error.message !== '' ? error.message : 'Anthropic reported a stream error.';
  return {
    ...clientShape(anthropicType),
    upstreamStatus: STATUS_BY_TYPE[anthropicType] ?? 500,
    param: null,
    message: redactApiKeys(message),
    retryable: TRANSIENT_TYPES.has(anthropicType),
  };
}

/** Transient means worth another try: 408, 429 and every 5xx including Anthropic's 529. */
export function isTransientStatus(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
}

/** Replaces anything shaped like an API key (`sk-ant-…`, `sk-…`) with `[redacted]`. */
export function redactApiKeys(text: string): string {
  return text.replace(/\bsk-[A-Za-z0-9_-]{6,}/g, '[redacted]');
}

function clientShape(anthropicType: string): ClientErrorShape {
  return BY_ANTHROPIC_TYPE[anthropicType] ?? BY_ANTHROPIC_TYPE['api_error'];
}

function parseAnthropicErrorBody(bodyText: string): { type?: string; message?: string } | undefined {
  let body: unknown;
  try {
    body = JSON.parse(bodyText);
  } catch {
    return undefined;
  }
  const error = typeof body === 'object' && body !== null ? (body as { error?: unknown }).error : undefined;
  if (typeof error !== 'object' || error === null) return undefined;
  const { type, message } = error as { type?: unknown; message?: unknown };
  return {
    ...(typeof type === 'string' && type in BY_ANTHROPIC_TYPE ? { type } : {}),
    ...(typeof message === 'string' ? { message } : {}),
  };
}
