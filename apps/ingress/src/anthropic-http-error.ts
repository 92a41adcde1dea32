import type { HttpError } from './openai-http-error';

/** Anthropic's error body (PROVIDERS.md §2): `{"type":"error","error":{"type","message"},"request_id"?}`. */
export interface AnthropicHttpErrorBody {
  type: 'error';
  error: { type: string; message: string };
  request_id?: string;
}

export interface AnthropicHttpError {
  status: number;
  body: AnthropicHttpErrorBody;
  headers: Record<string, string>;
}

/** Anthropic's status for an overloaded provider; its SDK retries it like a 5xx. */
const OVERLOADED_STATUS = 529;
/** Anthropic's status for an account without credit. */
const BILLING_STATUS = 402;

const TYPE_BY_STATUS: Readonly<Record<number, string>> = {
  400: 'invalid_request_error',
  401: 'authentication_error',
  402: 'billing_error',
  403: 'permission_error',
  404: 'not_found_error',
  408: 'timeout_error',
  409: 'conflict_error',
  413: 'request_too_large',
  415: 'invalid_request_error',
  429: 'rate_limit_error',
  499: 'api_error',
  500: 'api_error',
  502: 'api_error',
  503: 'overloaded_error',
  504: 'timeout_error',
  529: 'overloaded_error',
};

/**
 * A gateway error as a Claude-native client expects it: Anthropic's error type for the status,
 * 402 billing_error for a provider account without credit, and 529 overloaded_error when the provider that failed last was overloaded (its 529, or an
 * overloaded_error the Anthropic adapter reported as 503 `overloaded`).
 */
export function toAnthropicHttpError(error: HttpError, requestId?: string): AnthropicHttpError {
  const overloaded = error.upstreamStatus === OVERLOADED_STATUS || error.body.error.code === 'overloaded';
  // A provider account without credit (Anthropic's billing_error, OpenAI's insufficient_quota) is
  // Anthropic's 402 billing_error, which its SDK does not retry. The gateway's own budget refusal
  // (code budget_exceeded) stays the 429 CONTRACT.md names.
  const billing = error.status === 429 && error.body.error.code === 'insufficient_quota';
  const status = billing ? BILLING_STATUS : overloaded && error.status >= 500 ? OVERLOADED_STATUS : error.status;
  const type = TYPE_BY_STATUS[status] ?? (status >= 500 ? 'api_error' : 'invalid_request_error');
  return {
    status,
    body: { type: 'error', error: { type, message: error.body.error.message }, ...(requestId ? { request_id: requestId } : {}) },
    headers: error.headers,
  };
}
