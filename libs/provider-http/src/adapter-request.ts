import { RpcException } from '@nestjs/microservices';
import type { AdapterRequest, ProviderTarget } from '@ai-gateway/proto';
import { gatewayGrpcError, GrpcStatus } from '@ai-gateway/service-kit';

const DEFAULT_ATTEMPT_TIMEOUT_MS = 600_000;

/** Where and as whom to call; a request without one is the router's bug, refused as INVALID_ARGUMENT. */
export function targetOf(request: AdapterRequest): ProviderTarget {
  if (!request.target) {
    throw new RpcException(gatewayGrpcError(GrpcStatus.INVALID_ARGUMENT, 'adapter request without a target', { openaiErrorType: 'api_error' }));
  }
  return request.target;
}

/** The attempt's budget for the provider's answer. */
export function timeoutOf(request: AdapterRequest): number {
  return Number(request.timeoutMs) || DEFAULT_ATTEMPT_TIMEOUT_MS;
}
