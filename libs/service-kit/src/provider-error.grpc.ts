import type { ProviderError } from '@ai-gateway/openai-api';
import { Fault } from '@ai-gateway/proto';
import { gatewayGrpcError, GrpcStatus, type GatewayGrpcErrorShape } from './grpc-errors';

/** The gRPC code that says, in gRPC's terms, what a provider's HTTP status meant. */
export function grpcCodeForUpstream(upstreamStatus: number): GrpcStatus {
  if (upstreamStatus === 0) return GrpcStatus.UNAVAILABLE;
  // 409: Anthropic's conflict_error, a request to change, not a gateway that is unavailable.
  if (upstreamStatus === 400 || upstreamStatus === 409 || upstreamStatus === 413 || upstreamStatus === 422) return GrpcStatus.INVALID_ARGUMENT;
  // 402: the provider account's credit is exhausted; clients see it as OpenAI shows an exhausted quota (429 insufficient_quota).
  if (upstreamStatus === 402) return GrpcStatus.RESOURCE_EXHAUSTED;
  if (upstreamStatus === 401) return GrpcStatus.UNAUTHENTICATED;
  if (upstreamStatus === 403) return GrpcStatus.PERMISSION_DENIED;
  if (upstreamStatus === 404) return GrpcStatus.NOT_FOUND;
  if (upstreamStatus === 408 || upstreamStatus === 504) return GrpcStatus.DEADLINE_EXCEEDED;
  if (upstreamStatus === 429) return GrpcStatus.RESOURCE_EXHAUSTED;
  if (upstreamStatus >= 500) return GrpcStatus.UNAVAILABLE;
  return GrpcStatus.FAILED_PRECONDITION;
}

/**
 * A provider's error answer as a gRPC error with its typed detail: fault PROVIDER_HTTP and the
 * provider's status (for an error event inside a 200 stream, the status its error type stands
 * for: 429 rate limit, 529 overloaded, 500 server error). The message must already be scrubbed
 * of the attempt's key; it is bounded by gatewayGrpcError.
 */
export function providerGrpcError(
  providerId: string,
  error: ProviderError,
  extra: { retryAfterMs?: number; headers?: Record<string, string> } = {},
): GatewayGrpcErrorShape {
  return gatewayGrpcError(grpcCodeForUpstream(error.upstreamStatus), error.message, {
    upstreamHttpStatus: error.upstreamStatus,
    provider: providerId,
    retryable: error.retryable,
    openaiErrorType: error.type,
    openaiErrorCode: error.code ?? '',
    param: error.param ?? '',
    retryAfterMs: extra.retryAfterMs ?? 0,
    headers: Object.entries(extra.headers ?? {}).map(([name, value]) => ({ name, value })),
    fault: Fault.FAULT_PROVIDER_HTTP,
  });
}
