import type { ProviderError } from '@ai-gateway/openai-api';
import type { GeminiErrorStatus } from './gemini.types';

// Gemini's errors are google.rpc.Status JSON: {"error":{code, message, status, details[]}}
// (ai.google.dev/gemini-api/docs/troubleshooting). What the gateway makes of them:
// - a 429 with a RetryInfo detail asks for that delay: it becomes the Retry-After the router
//   honours (and the key's cool-down);
// - a 429 that is quota exhaustion (a daily quota, or a limit of 0: the plan has no access) will
//   not pass by waiting seconds: not retryable, code insufficient_quota (OpenAI's name for it),
//   and a Retry-After longer than any the router waits on, so it moves to the next candidate
//   at once and cools the key for as long as it cools any;
// - an invalid API key answers 400 API_KEY_INVALID: read as the 401 it means, so the key is
//   marked failing and traffic moves on instead of the client getting a 400;
// - a prompt over the context window is `context_length_exceeded`, which the fallback map routes;
// - 500, 503 UNAVAILABLE and 504 are transient.

export interface GeminiError {
  error: ProviderError;
  /** The wait Gemini asked for (RetryInfo), in ms; 0 when none. */
  retryAfterMs: number;
}

/** Longer than any Retry-After the router waits on (RETRY_AFTER_MAX_MS), and than its key cool-down cap. */
export const QUOTA_EXHAUSTED_RETRY_AFTER_MS = 60 * 60 * 1000;

interface ClientShape {
  status: number;
  type: string;
  code: string | null;
  retryable: boolean;
}

const BY_GRPC_STATUS: Readonly<Record<string, ClientShape>> = {
  INVALID_ARGUMENT: { status: 400, type: 'invalid_request_error', code: null, retryable: false },
  FAILED_PRECONDITION: { status: 400, type: 'invalid_request_error', code: 'failed_precondition', retryable: false },
  OUT_OF_RANGE: { status: 400, type: 'invalid_request_error', code: null, retryable: false },
  UNAUTHENTICATED: { status: 401, type: 'authentication_error', code: 'invalid_api_key', retryable: false },
  PERMISSION_DENIED: { status: 403, type: 'permission_error', code: null, retryable: false },
  NOT_FOUND: { status: 404, type: 'not_found_error', code: 'model_not_found', retryable: false },
  RESOURCE_EXHAUSTED: { status: 429, type: 'rate_limit_exceeded', code: 'rate_limit_exceeded', retryable: true },
  CANCELLED: { status: 502, type: 'api_error', code: null, retryable: true },
  INTERNAL: { status: 502, type: 'api_error', code: null, retryable: true },
  UNKNOWN: { status: 502, type: 'api_error', code: null, retryable: true },
  UNAVAILABLE: { status: 503, type: 'server_error', code: 'overloaded', retryable: true },
  DEADLINE_EXCEEDED: { status: 504, type: 'timeout_error', code: null, retryable: true },
};

const STATUS_BY_HTTP: Readonly<Record<number, string>> = {
  400: 'INVALID_ARGUMENT',
  401: 'UNAUTHENTICATED',
  403: 'PERMISSION_DENIED',
  404: 'NOT_FOUND',
  429: 'RESOURCE_EXHAUSTED',
  499: 'CANCELLED',
  500: 'INTERNAL',
  503: 'UNAVAILABLE',
  504: 'DEADLINE_EXCEEDED',
};

const HTTP_BY_STATUS: Readonly<Record<string, number>> = Object.fromEntries(Object.entries(STATUS_BY_HTTP).map(([http, status]) => [status, Number(http)]));

/** Gemini's error answer (an HTTP error status and its body) in the gateway's terms. */
export function geminiHttpError(upstreamStatus: number, bodyText: string): GeminiError {
  return classify(upstreamStatus, parseErrorBody(bodyText));
}

/** An error event inside a 200 stream (`data: {"error":{...}}`); its `code` stands for the HTTP status. */
export function geminiStreamError(status: GeminiErrorStatus): GeminiError {
  const code = typeof status.code === 'number' && status.code >= 400 && status.code < 600 ? status.code : (HTTP_BY_STATUS[status.status ?? ''] ?? 500);
  return classify(code, status);
}

/** The `error` object of a body, plain or wrapped in an array (Vertex answers some errors so). */
export function errorStatusOf(body: unknown): GeminiErrorStatus | undefined {
  const single = Array.isArray(body) ? body[0] : body;
  const error = typeof single === 'object' && single !== null ? (single as { error?: unknown }).error : undefined;
  return typeof error === 'object' && error !== null && !Array.isArray(error) ? (error as GeminiErrorStatus) : undefined;
}

function classify(upstreamStatus: number, parsed: GeminiErrorStatus | undefined): GeminiError {
  const grpcStatus = typeof parsed?.status === 'string' && parsed.status in BY_GRPC_STATUS ? parsed.status : (STATUS_BY_HTTP[upstreamStatus] ?? (upstreamStatus >= 500 ? 'INTERNAL' : 'INVALID_ARGUMENT'));
  const message = typeof parsed?.message === 'string' && parsed.message !== '' ? parsed.message : `Gemini returned HTTP ${upstreamStatus}.`;
  const details = Array.isArray(parsed?.details) ? parsed.details.filter((detail) => typeof detail === 'object' && detail !== null) : [];
  const base: ProviderError = { ...shape(grpcStatus), upstreamStatus, param: null, message };
  if (isInvalidApiKey(details, message)) {
    return { error: { ...base, ...shape('UNAUTHENTICATED'), upstreamStatus: 401 }, retryAfterMs: 0 };
  }
  if (grpcStatus === 'RESOURCE_EXHAUSTED') {
    if (isQuotaExhausted(details, message)) {
      return {
        error: { ...base, type: 'insufficient_quota', code: 'insufficient_quota', retryable: false },
        retryAfterMs: QUOTA_EXHAUSTED_RETRY_AFTER_MS,
      };
    }
    return { error: base, retryAfterMs: retryDelayMs(details) };
  }
  if (grpcStatus === 'INVALID_ARGUMENT' && /input token count.*exceeds the maximum/i.test(message)) {
    return { error: { ...base, code: 'context_length_exceeded' }, retryAfterMs: 0 };
  }
  return { error: base, retryAfterMs: 0 };
}

function shape(grpcStatus: string): Omit<ClientShape, 'status'> & { status: number } {
  return BY_GRPC_STATUS[grpcStatus] ?? BY_GRPC_STATUS.INTERNAL;
}

function typed(details: Array<Record<string, unknown>>, type: string): Array<Record<string, unknown>> {
  return details.filter((detail) => detail['@type'] === `type.googleapis.com/google.rpc.${type}`);
}

function isInvalidApiKey(details: Array<Record<string, unknown>>, message: string): boolean {
  return typed(details, 'ErrorInfo').some((info) => info.reason === 'API_KEY_INVALID') || /^API key not valid/i.test(message);
}

/** A daily quota, or a limit of 0 (the plan has no access to the model): waiting seconds will not help. */
function isQuotaExhausted(details: Array<Record<string, unknown>>, message: string): boolean {
  const violations = typed(details, 'QuotaFailure').flatMap((failure) => (Array.isArray(failure.violations) ? failure.violations : []));
  const exhausted = violations.some((violation: unknown) => {
    const { quotaId, quotaValue } = (typeof violation === 'object' && violation !== null ? violation : {}) as { quotaId?: unknown; quotaValue?: unknown };
    return (typeof quotaId === 'string' && /PerDay/i.test(quotaId)) || quotaValue === '0' || quotaValue === 0;
  });
  return exhausted || /\blimit: 0\b/.test(message);
}

/** RetryInfo.retryDelay is a protobuf Duration in JSON: "36s", "36.429760048s". */
function retryDelayMs(details: Array<Record<string, unknown>>): number {
  for (const info of typed(details, 'RetryInfo')) {
    const match = typeof info.retryDelay === 'string' ? /^(\d{1,9})(?:\.(\d{1,9}))?s$/.exec(info.retryDelay) : null;
    if (match) return Math.ceil(Number(`${match[1]}.${match[2] ?? '0'}`) * 1000);
  }
  return 0;
}

function parseErrorBody(bodyText: string): GeminiErrorStatus | undefined {
  try {
    return errorStatusOf(JSON.parse(bodyText));
  } catch {
    return undefined;
  }
}
