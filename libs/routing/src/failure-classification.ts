/**
 * Who caused a failed attempt (DESIGN.md, failure taxonomy), in routing's terms: the
 * `Fault` of gateway.v1 `GatewayError`, classified once where the failure was first seen.
 */
export type FaultKind =
  /** The client's own request (bad body, validation): never retried, counts against nobody. */
  | 'client_request'
  /** The client went away. */
  | 'client_cancelled'
  /** Our own service (an adapter service) could not be reached or failed: not the provider's. */
  | 'gateway_internal'
  /** No connection to the provider, or a reset before its headers. */
  | 'provider_connection'
  /** No headers, no first token, or a stream gap within its limit. */
  | 'provider_timeout'
  /** The provider answered with an error status. */
  | 'provider_http'
  /** The provider answered 2xx with something unreadable. */
  | 'provider_malformed'
  /** The provider's stream broke off. */
  | 'provider_stream_cut';

export interface AttemptFault {
  readonly fault: FaultKind;
  /** The provider's HTTP status (provider_http). */
  readonly status?: number;
  /** The provider's OpenAI-style error code (`context_length_exceeded`, `content_filter`). */
  readonly errorCode?: string;
  /** The provider's OpenAI-style error type. */
  readonly errorType?: string;
}

/** What an operator can map a provider's error code or type to. */
export type ErrorAction =
  /** Skip the other providers of this model; go on with the fallback map's models. */
  | 'fallback'
  /** The next candidate, whatever it is. */
  | 'next'
  /** Back to the client as it is. */
  | 'return';

export const ERROR_ACTIONS: readonly ErrorAction[] = ['fallback', 'next', 'return'];

/** Provider error code or type → action; keys are matched against the code first, then the type. */
export type ErrorActions = Readonly<Record<string, ErrorAction>>;

/**
 * The defaults: a prompt too long for this model may fit a fallback model with a larger
 * window (every peer gateway routes it there); a content-filter refusal is the answer to
 * this request and goes back unchanged (Azure `content_filter`, OpenAI
 * `content_policy_violation`, Anthropic-kind adapters map refusals to `content_filter`).
 */
export const DEFAULT_ERROR_ACTIONS: ErrorActions = {
  context_length_exceeded: 'fallback',
  content_filter: 'return',
  content_policy_violation: 'return',
};

export type FailureAction = 'retry_same' | 'next_candidate' | 'next_model' | 'return_to_client';

export type FailureReason =
  | 'connection_error'
  | 'timeout'
  | 'request_timeout'
  | 'rate_limited'
  | 'overloaded'
  | 'server_error'
  | 'auth_failed'
  | 'client_error'
  | 'error_action'
  | 'malformed'
  | 'stream_cut'
  | 'gateway_internal'
  | 'not_an_error_status'
  | 'cancelled';

export interface FailureClassification {
  /** `retry_same` is bounded by the caller; when retries run out, move to the next candidate. */
  readonly action: FailureAction;
  readonly reason: FailureReason;
  /** Whether the failure counts towards the provider's circuit breaker. */
  readonly countsAgainstProvider: boolean;
  /** 429: cool the key down for its Retry-After instead. */
  readonly coolDownKey: boolean;
  /** 401/403: the key is failing until it is rotated (or works again). */
  readonly keyFailing: boolean;
}

const OVERLOADED = 529;

function verdict(
  action: FailureAction,
  reason: FailureReason,
  countsAgainstProvider: boolean,
  extra: Partial<Pick<FailureClassification, 'coolDownKey' | 'keyFailing'>> = {},
): FailureClassification {
  return { action, reason, countsAgainstProvider, coolDownKey: extra.coolDownKey ?? false, keyFailing: extra.keyFailing ?? false };
}

/**
 * What to do after an attempt failed, and whom it counts against (DESIGN.md, "Routing
 * semantics"). A silent or timed-out attempt moves on: retrying it on the same provider
 * would spend another full limit on the one that just proved slow.
 */
export function classifyFailure(failure: AttemptFault, errorActions: ErrorActions = DEFAULT_ERROR_ACTIONS): FailureClassification {
  switch (failure.fault) {
    case 'client_request':
      return verdict('return_to_client', 'client_error', false);
    case 'client_cancelled':
      return verdict('return_to_client', 'cancelled', false);
    case 'gateway_internal':
      // Our adapter service restarting: worth a bounded retry, never the provider's fault.
      return verdict('retry_same', 'gateway_internal', false);
    case 'provider_connection':
      return verdict('retry_same', 'connection_error', true);
    case 'provider_timeout':
      return verdict('next_candidate', 'timeout', true);
    case 'provider_malformed':
      return verdict('next_candidate', 'malformed', true);
    case 'provider_stream_cut':
      return verdict('next_candidate', 'stream_cut', true);
    case 'provider_http':
      return classifyStatus(failure, errorActions);
  }
}

function classifyStatus(failure: AttemptFault, errorActions: ErrorActions): FailureClassification {
  const status = failure.status ?? 0;
  if (status === 429) return verdict('retry_same', 'rate_limited', false, { coolDownKey: true });
  // A bad or revoked key must not stop traffic, and retrying the same key cannot help.
  if (status === 401 || status === 403) return verdict('next_candidate', 'auth_failed', false, { keyFailing: true });
  const mapped = errorActionOf(failure, errorActions);
  if (mapped && status < 500) {
    const action: FailureAction = mapped === 'fallback' ? 'next_model' : mapped === 'next' ? 'next_candidate' : 'return_to_client';
    return verdict(action, 'error_action', false);
  }
  if (status === 408) return verdict('retry_same', 'request_timeout', true);
  if (status === OVERLOADED) return verdict('retry_same', 'overloaded', true);
  if (status >= 500 && status <= 599) return verdict('retry_same', 'server_error', true);
  if (status >= 400 && status <= 499) return verdict('return_to_client', 'client_error', false);
  return verdict('return_to_client', 'not_an_error_status', false);
}

/** The configured action for the provider's error code, else for its type. */
export function errorActionOf(failure: Pick<AttemptFault, 'errorCode' | 'errorType'>, errorActions: ErrorActions): ErrorAction | undefined {
  for (const key of [failure.errorCode, failure.errorType]) {
    if (key && Object.hasOwn(errorActions, key)) return errorActions[key];
  }
  return undefined;
}

/** Checks an error-action map as received (untrusted JSON); the problem, or undefined. */
export function errorActionsProblem(map: unknown): string | undefined {
  if (typeof map !== 'object' || map === null || Array.isArray(map)) return '"errorActions" must map error codes or types to actions';
  const entries = Object.entries(map);
  if (entries.length > MAX_ERROR_ACTIONS) return `at most ${MAX_ERROR_ACTIONS} error actions`;
  for (const [key, action] of entries) {
    if (!/^[A-Za-z0-9_.:-]{1,100}$/.test(key)) return `error code "${key.slice(0, 100)}" must be 1-100 letters, digits, "_", ".", ":" or "-"`;
    if (!(ERROR_ACTIONS as readonly unknown[]).includes(action)) return `action of "${key}" must be one of ${ERROR_ACTIONS.join(', ')}`;
  }
  return undefined;
}

/** A bound on the map every router reads per failed attempt. */
export const MAX_ERROR_ACTIONS = 100;

/** The defaults, overridden entry by entry by the configured map. */
export function effectiveErrorActions(configured: Readonly<Record<string, string>>): ErrorActions {
  const out: Record<string, ErrorAction> = { ...DEFAULT_ERROR_ACTIONS };
  for (const [key, action] of Object.entries(configured)) {
    if ((ERROR_ACTIONS as readonly string[]).includes(action)) out[key] = action as ErrorAction;
  }
  return out;
}
