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
  /** From sending the request to the answer's headers (for a unary call: the whole answer). */
  headersMs: number;
  /** Streams: from the headers to the first content (text, tool call or finish reason; role-only chunks are not content). */
  firstTokenMs: number;
  /** The longest silence between two pieces of an answer once it flows. */
  idleMs: number;
  /** The request's deadline (Unix ms); 0 when the router sent none. Nothing of the attempt runs past it. */
  deadlineUnixMs: number;
}

/** AdapterRequest's optional finer limits (proto fields 8-11, added by the router). */
type FinerLimits = {
  headersTimeoutMs?: number | string | null;
  firstTokenTimeoutMs?: number | string | null;
  idleTimeoutMs?: number | string | null;
  deadlineUnixMs?: number | string | null;
};

/**
 * The attempt's limits: the router's `headers_timeout_ms`, `first_token_timeout_ms`,
 * `idle_timeout_ms` and `deadline_unix_ms` when it sends them; each one unset or 0 (an older
 * router) falls back to `timeout_ms`, the attempt's backstop, as before.
 */
export function limitsOf(request: AdapterRequest): AttemptLimits {
  const timeout = timeoutOf(request);
  const finer = request as AdapterRequest & FinerLimits;
  return {
    headersMs: Number(finer.headersTimeoutMs) || timeout,
    firstTokenMs: Number(finer.firstTokenTimeoutMs) || timeout,
    idleMs: Number(finer.idleTimeoutMs) || timeout,
    deadlineUnixMs: Number(finer.deadlineUnixMs) || 0,
  };
}
