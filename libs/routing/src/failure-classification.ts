export type UpstreamFailure =
  | { readonly kind: 'http'; readonly status: number }
  | { readonly kind: 'connection' }
  | { readonly kind: 'timeout' }
  | { readonly kind: 'cancelled' };

export type FailureAction = 'retry_same' | 'next_candidate' | 'return_to_client';

export type FailureReason =
  | 'connection_error'
  | 'timeout'
  | 'request_timeout'
  | 'rate_limited'
  | 'overloaded'
  | 'server_error'
  | 'auth_failed'
  | 'client_error'
  | 'not_an_error_status'
  | 'cancelled';

export interface FailureClassification {
  /** `retry_same` is bounded by the caller; when retries run out, move to the next candidate. */
  readonly action: FailureAction;
  readonly reason: FailureReason;
}

const OVERLOADED = 529;

/** What to do after an upstream attempt failed (DESIGN.md, "Routing semantics"). */
export function classifyFailure(failure: UpstreamFailure): FailureClassification {
  switch (failure.kind) {
    case 'connection':
      return { action: 'retry_same', reason: 'connection_error' };
    case 'timeout':
      return { action: 'retry_same', reason: 'timeout' };
    case 'cancelled':
      return { action: 'return_to_client', reason: 'cancelled' };
    case 'http':
      return classifyStatus(failure.status);
  }
}

function classifyStatus(status: number): FailureClassification {
  if (status === 408) return { action: 'retry_same', reason: 'request_timeout' };
  if (status === 429) return { action: 'retry_same', reason: 'rate_limited' };
  if (status === OVERLOADED) return { action: 'retry_same', reason: 'overloaded' };
  if (status >= 500 && status <= 599) return { action: 'retry_same', reason: 'server_error' };
  // A bad or revoked key must not stop traffic, and retrying the same key cannot help.
  if (status === 401 || status === 403) return { action: 'next_candidate', reason: 'auth_failed' };
  if (status >= 400 && status <= 499) return { action: 'return_to_client', reason: 'client_error' };
  return { action: 'return_to_client', reason: 'not_an_error_status' };
}
