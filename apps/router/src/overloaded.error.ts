import { Fault } from '@ai-gateway/proto';
import { gatewayGrpcError, GrpcStatus, type GatewayGrpcErrorShape } from '@ai-gateway/service-kit';

/** The router holds as many request bytes as its budget allows: the caller should retry shortly (FAILED_PRECONDITION: 503 + Retry-After at the edge). */
export function overloadedError(): GatewayGrpcErrorShape {
  return gatewayGrpcError(GrpcStatus.FAILED_PRECONDITION, 'The gateway is holding too many request bytes right now; retry shortly.', {
    openaiErrorType: 'service_unavailable',
    openaiErrorCode: 'gateway_overloaded',
    retryAfterMs: 1_000,
    fault: Fault.FAULT_GATEWAY_INTERNAL,
  });
}
