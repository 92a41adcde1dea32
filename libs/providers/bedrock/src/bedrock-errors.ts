import type { ProviderError } from '@ai-gateway/openai-api';

interface ErrorShape {
  /** What the client sees (CONTRACT.md statuses). */
  status: number;
  type: string;
  code: string | null;
  /**
   * The HTTP status the router classifies the failure by, when the provider's own status says
   * something else: a model failure (424) is the provider's fault like a 5xx, and an exception
   * frame inside a 200 stream has no status of its own.
   */
  standsFor?: number;
  retryable: boolean;
}

const AUTH: ErrorShape = { status: 401, type: 'authentication_error', code: 'invalid_api_key', retryable: false };

// Bedrock's error type (`x-amzn-errortype` header, or a stream's `:exception-type`, compared in
// lower case) → the gateway's terms. PROVIDERS.md §4; AWS Bedrock Runtime "Common errors".
const BY_TYPE: Readonly<Record<string, ErrorShape>> = {
  validationexception: { status: 400, type: 'invalid_request_error', code: null, standsFor: 400, retryable: false },
  conflictexception: { status: 400, type: 'invalid_request_error', code: 'conflict', retryable: false },
  accessdeniedexception: { status: 403, type: 'permission_error', code: null, standsFor: 403, retryable: false },
  unrecognizedclientexception: AUTH,
  invalidsignatureexception: AUTH,
  incompletesignatureexception: AUTH,
  missingauthenticationtokenexception: AUTH,
  expiredtokenexception: AUTH,
  resourcenotfoundexception: { status: 404, type: 'not_found_error', code: 'model_not_found', retryable: false },
  throttlingexception: { status: 429, type: 'rate_limit_exceeded', code: 'rate_limit_exceeded', standsFor: 429, retryable: true },
  servicequotaexceededexception: { status: 429, type: 'rate_limit_exceeded', code: 'quota_exceeded', standsFor: 429, retryable: true },
  modelnotreadyexception: { status: 503, type: 'service_unavailable', code: 'model_not_ready', standsFor: 503, retryable: true },
  modeltimeoutexception: { status: 504, type: 'timeout_error', code: 'model_timeout', standsFor: 408, retryable: true },
  modelerrorexception: { status: 502, type: 'api_error', code: 'model_error', standsFor: 502, retryable: true },
  modelstreamerrorexception: { status: 502, type: 'api_error', code: 'model_stream_error', standsFor: 502, retryable: true },
  internalserverexception: { status: 502, type: 'api_error', code: null, standsFor: 500, retryable: true },
  serviceunavailableexception: { status: 503, type: 'service_unavailable', code: null, standsFor: 503, retryable: true },
};

/** Validation messages that say the prompt is over the model's window: the fallback map can help there. */
const CONTEXT_TOO_LONG = /input is too long|too many (input )?tokens|context (length|window)|prompt is too long/i;

/** The most of a provider message kept before it is scrubbed and cut again for the client. */
const MAX_MESSAGE_CHARS = 2_000;

/** Bedrock's error type from `x-amzn-errortype` (`ThrottlingException:http://internal.amazon.com/...`), lower case. */
export function bedrockErrorType(header: string | undefined): string {
  return (header ?? '').split(':')[0].trim().toLowerCase();
}

/** Bedrock's HTTP error answer in the gateway's terms. */
export function bedrockHttpError(upstreamStatus: number, bodyText: string, headers: Record<string, string>): ProviderError {
  const type = bedrockErrorType(headers['x-amzn-errortype']);
  const message = messageOf(bodyText) ?? `Bedrock returned HTTP ${upstreamStatus}${type ? ` (${type.slice(0, 64)})` : ''}.`;
  const shape = BY_TYPE[type] ?? shapeOfStatus(upstreamStatus);
  return toProviderError(shape, shape.standsFor ?? upstreamStatus, message);
}

/**
 * An exception frame inside a ConverseStream (`:exception-type`, payload `{"message"}`) or an
 * error frame (`:error-code`, `:error-message`), in the gateway's terms; upstreamStatus is the
 * status its type stands for.
 */
export function bedrockStreamException(exceptionType: string, payload: Uint8Array | { message: string }): ProviderError {
  const type = exceptionType.toLowerCase();
  const shape = BY_TYPE[type] ?? BY_TYPE.internalserverexception;
  const text = payload instanceof Uint8Array ? messageOf(Buffer.from(payload).toString('utf8')) : payload.message.slice(0, MAX_MESSAGE_CHARS);
  const message = text || `Bedrock reported ${exceptionType.slice(0, 64) || 'an exception'} in the stream.`;
  return toProviderError(shape, shape.standsFor ?? 500, message);
}

function toProviderError(shape: ErrorShape, upstreamStatus: number, message: string): ProviderError {
  const contextTooLong = shape.type === 'invalid_request_error' && CONTEXT_TOO_LONG.test(message);
  return {
    status: shape.status,
    upstreamStatus,
    type: shape.type,
    code: contextTooLong ? 'context_length_exceeded' : shape.code,
    param: null,
    message,
    retryable: shape.retryable,
  };
}

function shapeOfStatus(status: number): ErrorShape {
  if (status === 400 || status === 422) return BY_TYPE.validationexception;
  if (status === 401) return AUTH;
  if (status === 403) return BY_TYPE.accessdeniedexception;
  if (status === 404) return BY_TYPE.resourcenotfoundexception;
  if (status === 408) return { ...BY_TYPE.modeltimeoutexception, standsFor: 408 };
  if (status === 429) return BY_TYPE.throttlingexception;
  if (status === 503) return BY_TYPE.serviceunavailableexception;
  if (status >= 500) return { ...BY_TYPE.internalserverexception, standsFor: status };
  return { status: 400, type: 'invalid_request_error', code: null, retryable: false };
}

/** `{"message": ...}` (Bedrock), `{"Message": ...}` (some AWS front ends). */
function messageOf(bodyText: string): string | undefined {
  let body: unknown;
  try {
    body = JSON.parse(bodyText);
  } catch {
    return undefined;
  }
  if (typeof body !== 'object' || body === null) return undefined;
  const { message, Message } = body as { message?: unknown; Message?: unknown };
  const text = typeof message === 'string' ? message : typeof Message === 'string' ? Message : undefined;
  return text ? text.slice(0, MAX_MESSAGE_CHARS) : undefined;
}
