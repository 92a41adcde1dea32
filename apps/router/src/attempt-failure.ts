import { Fault } from '@ai-gateway/proto';
import { decodeGrpcError, gatewayGrpcError, GrpcStatus, type DecodedGrpcError, type GatewayGrpcErrorShape } from '@ai-gateway/service-kit';
import type { AttemptFault, FaultKind } from '@ai-gateway/routing';

export interface AttemptFailure {
  error: unknown;
  decoded: DecodedGrpcError;
  fault: AttemptFault;
  /** What happened, for messages and the usage event: "HTTP 503", "no first token within 500 ms". */
  cause: string;
}

const FAULT_KIND: Partial<Record<Fault, FaultKind>> = {
  [Fault.FAULT_CLIENT_REQUEST]: 'client_request',
  [Fault.FAULT_CLIENT_CANCELLED]: 'client_cancelled',
  [Fault.FAULT_GATEWAY_INTERNAL]: 'gateway_internal',
  [Fault.FAULT_PROVIDER_CONNECTION]: 'provider_connection',
  [Fault.FAULT_PROVIDER_TIMEOUT]: 'provider_timeout',
  [Fault.FAULT_PROVIDER_HTTP]: 'provider_http',
  [Fault.FAULT_PROVIDER_MALFORMED]: 'provider_malformed',
  [Fault.FAULT_PROVIDER_STREAM_CUT]: 'provider_stream_cut',
};

export const FAULT_OF_KIND: Readonly<Record<FaultKind, Fault>> = {
  client_request: Fault.FAULT_CLIENT_REQUEST,
  client_cancelled: Fault.FAULT_CLIENT_CANCELLED,
  gateway_internal: Fault.FAULT_GATEWAY_INTERNAL,
  provider_connection: Fault.FAULT_PROVIDER_CONNECTION,
  provider_timeout: Fault.FAULT_PROVIDER_TIMEOUT,
  provider_http: Fault.FAULT_PROVIDER_HTTP,
  provider_malformed: Fault.FAULT_PROVIDER_MALFORMED,
  provider_stream_cut: Fault.FAULT_PROVIDER_STREAM_CUT,
};

/** The most an error text may add to a message the router builds (it travels in gRPC metadata). */
const CAUSE_TEXT_LIMIT = 300;

/**
 * Reads what went wrong in an adapter call, in the terms the routing rules use. The
 * adapter's `fault` decides; an adapter that does not set it yet (fault unspecified) is
 * read from the gRPC code as before. An error without any GatewayError detail did not come
 * from an adapter's provider call at all: grpc-js could not reach our adapter service, or it
 * failed on its own — FAULT_GATEWAY_INTERNAL, never the provider's.
 */
export function describeAttemptFailure(error: unknown): AttemptFailure {
  const decoded = decodeGrpcError(error);
  const detail = decoded.detail;
  const status = detail?.upstreamHttpStatus ?? 0;
  const kind = (detail && FAULT_KIND[detail.fault]) ?? inferFault(decoded);
  const fault: AttemptFault = {
    fault: kind,
    ...(status > 0 ? { status } : {}),
    ...(detail?.openaiErrorCode ? { errorCode: detail.openaiErrorCode } : {}),
    ...(detail?.openaiErrorType ? { errorType: detail.openaiErrorType } : {}),
  };
  return { error, decoded, fault, cause: causeOf(kind, status, decoded.message) };
}

function inferFault(decoded: DecodedGrpcError): FaultKind {
  // The router's own cancellations (its caller left, its timers) always carry a detail
  // (routerAttemptError), as do the adapter's: a CANCELLED without one is grpc-js reporting that
  // the adapter service ended the call (its drain cut the stream), never our caller.
  if (!decoded.detail) return 'gateway_internal';
  if ((decoded.detail.upstreamHttpStatus ?? 0) > 0) return 'provider_http';
  switch (decoded.code) {
    case GrpcStatus.DEADLINE_EXCEEDED:
      return 'provider_timeout';
    case GrpcStatus.CANCELLED:
      return 'client_cancelled';
    case GrpcStatus.INVALID_ARGUMENT:
    case GrpcStatus.UNIMPLEMENTED:
      // The adapter refused to translate the request (or the kind has no such endpoint).
      return 'client_request';
    default:
      return /\bstream\b/i.test(decoded.message) ? 'provider_stream_cut' : 'provider_connection';
  }
}

function causeOf(kind: FaultKind, status: number, message: string): string {
  const text = message.length > CAUSE_TEXT_LIMIT ? `${message.slice(0, CAUSE_TEXT_LIMIT)}…` : message;
  switch (kind) {
    case 'provider_http':
      return `HTTP ${status}: ${text}`;
    case 'gateway_internal':
      return `gateway adapter service unavailable (${text})`;
    default:
      return text;
  }
}

/** An error the router itself raises for an attempt (its own timers, the client leaving). */
export function routerAttemptError(kind: FaultKind, message: string, providerId: string): GatewayGrpcErrorShape {
  const code = kind === 'client_cancelled' ? GrpcStatus.CANCELLED : kind === 'provider_timeout' ? GrpcStatus.DEADLINE_EXCEEDED : GrpcStatus.UNAVAILABLE;
  return gatewayGrpcError(code, message, {
    provider: providerId,
    retryable: kind !== 'client_cancelled',
    openaiErrorType: kind === 'provider_timeout' ? 'timeout_error' : 'api_error',
    fault: FAULT_OF_KIND[kind],
  });
}
