import { RpcException } from '@nestjs/microservices';
import { Fault, type AdapterRequest, type ProviderTarget } from '@ai-gateway/proto';
import { gatewayGrpcError, GrpcStatus } from '@ai-gateway/service-kit';

const DEFAULT_ATTEMPT_TIMEOUT_MS = 600_000;

/** Where and as whom to call; a request without one is the router's bug, refused as INVALID_ARGUMENT. */
export function targetOf(request: AdapterRequest): ProviderTarget {
  if (!request.target) {
    throw new RpcException(
      gatewayGrpcError(GrpcStatus.INVALID_ARGUMENT, 'adapter request without a target', {
        openaiErrorType: 'api_error',
        fault: Fault.FAULT_GATEWAY_INTERNAL,
      }),
    );
  }
  return request.target;
}

/** The attempt's budget for the provider's answer. */
export function timeoutOf(request: AdapterRequest): number {
  return Number(request.timeoutMs) || DEFAULT_ATTEMPT_TIMEOUT_MS;
}

/** The time limits of one attempt (DESIGN.md "Time limits per attempt"), in ms. */
export interface AttemptLimits {
  /** From sending the request to the answer's headers. */
  headersMs: number;
  /** From the headers to the first content of a stream (text, tool call or finish reason). */
  firstTokenMs: number;
  /** The longest silence between two pieces of an answer once it flows. */
  idleMs: number;
}

/**
 * The attempt's limits. The router may send `first_token_timeout_ms` / `idle_timeout_ms` in
 * AdapterRequest (read here by their generated names as soon as the proto has them); until
 * then, and when one is 0, `timeout_ms` bounds each phase as before.
 */
export function limitsOf(request: AdapterRequest): AttemptLimits {
  const timeout = timeoutOf(request);
  const optional = request as AdapterRequest & { firstTokenTimeoutMs?: number | string; idleTimeoutMs?: number | string };
  return {
    headersMs: timeout,
    firstTokenMs: Number(optional.firstTokenTimeoutMs) || timeout,
    idleMs: Number(optional.idleTimeoutMs) || timeout,
  };
}
