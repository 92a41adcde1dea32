import { openAiErrorBody, type OpenAiErrorBody } from '@ai-gateway/openai-api';
import { decodeGrpcError, GrpcStatus, httpStatusForGrpc } from '@ai-gateway/service-kit';
import { secretScrubber } from '@ai-gateway/logging';

export interface HttpError {
  status: number;
  body: OpenAiErrorBody;
  headers: Record<string, string>;
  /** The status of the provider that failed last, when a provider answered (Anthropic's 529 shows through on /v1/messages). */
  upstreamStatus?: number;
}

const DEFAULT_TYPE: Record<number, string> = {
  400: 'invalid_request_error',
  401: 'authentication_error',
  403: 'permission_error',
  404: 'invalid_request_error',
  413: 'invalid_request_error',
  415: 'invalid_request_error',
  429: 'rate_limit_exceeded',
  499: 'cancelled',
  502: 'api_error',
  503: 'service_unavailable',
  504: 'timeout_error',
};

export function httpError(status: number, message: string, code: string | null = null, param: string | null = null, type?: string): HttpError {
  return { status, body: openAiErrorBody(message, type ?? DEFAULT_TYPE[status] ?? 'api_error', code, param), headers: {} };
}

/** A gRPC error from a gateway service, as the OpenAI-shaped HTTP error the client sees. */
export function httpErrorFromGrpc(error: unknown): HttpError {
  const decoded = decodeGrpcError(error);
  if (decoded.code === GrpcStatus.UNAVAILABLE && !decoded.detail) {
    return httpError(503, 'The gateway could not reach an internal service; try again.', 'gateway_unavailable');
  }
  // An internal service refusing ingress's own service credential is the gateway's misconfiguration,
  // never the client's authentication problem (a provider's 401/403 always carries a GatewayError).
  if ((decoded.code === GrpcStatus.UNAUTHENTICATED || decoded.code === GrpcStatus.PERMISSION_DENIED) && !decoded.detail) {
    return httpError(502, 'An internal service refused the gateway; see the service logs.', 'gateway_misconfigured');
  }
  const status = httpStatusForGrpc(decoded.code);
  const detail = decoded.detail;
  const headers: Record<string, string> = {};
  for (const header of detail?.headers ?? []) headers[header.name] = header.value;
  if (detail?.retryAfterMs) headers['retry-after'] = String(Math.max(1, Math.ceil(detail.retryAfterMs / 1000)));
  if (detail?.attempts) headers['x-gateway-attempts'] = String(detail.attempts);
  return {
    status,
    body: openAiErrorBody(
      secretScrubber.scrub(decoded.message),
      detail?.openaiErrorType || DEFAULT_TYPE[status] || 'api_error',
      detail?.openaiErrorCode || null,
      detail?.param || null,
    ),
    headers,
    ...(detail?.upstreamHttpStatus ? { upstreamStatus: detail.upstreamHttpStatus } : {}),
  };
}
