import { decodeGrpcError, GrpcStatus, type DecodedGrpcError } from '@ai-gateway/service-kit';
import type { UpstreamFailure } from '@ai-gateway/routing';

export interface AttemptFailure {
  error: unknown;
  decoded: DecodedGrpcError;
  failure: UpstreamFailure;
}

/** Reads what went wrong in an adapter call, in the terms the routing rules use. */
export function describeAttemptFailure(error: unknown): AttemptFailure {
  const decoded = decodeGrpcError(error);
  const status = decoded.detail?.upstreamHttpStatus ?? 0;
  if (status > 0) return { error, decoded, failure: { kind: 'http', status } };
  switch (decoded.code) {
    case GrpcStatus.DEADLINE_EXCEEDED:
      return { error, decoded, failure: { kind: 'timeout' } };
    case GrpcStatus.CANCELLED:
      return { error, decoded, failure: { kind: 'cancelled' } };
    case GrpcStatus.INVALID_ARGUMENT:
    case GrpcStatus.UNIMPLEMENTED:
      // The adapter refused to translate the request (or the kind has no such endpoint):
      // the client's error, not the provider's; no retry, no fallback.
      return { error, decoded, failure: { kind: 'http', status: 400 } };
    default:
      return { error, decoded, failure: { kind: 'connection' } };
  }
}
