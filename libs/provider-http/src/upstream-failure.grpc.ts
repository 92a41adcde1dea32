import { gatewayGrpcError, GrpcStatus, type GatewayGrpcErrorShape } from '@ai-gateway/service-kit';
import type { UpstreamFailure } from './upstream.client';

/** A failure to get an answer at all (timeout, refused connection) as a retryable gRPC error. */
export function upstreamFailureGrpcError(providerId: string, failure: UpstreamFailure): GatewayGrpcErrorShape {
  if (failure.kind === 'timeout') {
    return gatewayGrpcError(GrpcStatus.DEADLINE_EXCEEDED, `provider ${providerId} timed out`, {
      provider: providerId,
      retryable: true,
      openaiErrorType: 'timeout_error',
    });
  }
  if (failure.kind === 'cancelled') {
    return gatewayGrpcError(GrpcStatus.CANCELLED, 'request cancelled', { provider: providerId });
  }
  return gatewayGrpcError(GrpcStatus.UNAVAILABLE, `could not reach provider ${providerId} (${failure.message})`, {
    provider: providerId,
    retryable: true,
    openaiErrorType: 'api_error',
  });
}
