import {
  classifyFailure,
  DEFAULT_ERROR_ACTIONS,
  effectiveErrorActions,
  errorActionsProblem,
  type AttemptFault,
  type FailureAction,
  type FailureReason,
} from './failure-classification';

type Row = [AttemptFault, FailureAction, FailureReason, { breaker: boolean; cool?: boolean; keyFailing?: boolean }];

const http = (status: number, errorCode?: string, errorType?: string): AttemptFault => ({ fault: 'provider_http', status, errorCode, errorType });

describe('classifyFailure: who caused it decides what it counts against', () => {
  it.each<Row>([
    [{ fault: 'client_request' }, 'return_to_client', 'client_error', { breaker: false }],
    [{ fault: 'client_cancelled' }, 'return_to_client', 'cancelled', { breaker: false }],
    // Our adapter service restarting: retried, never held against the provider.
    [{ fault: 'gateway_internal' }, 'retry_same', 'gateway_internal', { breaker: false }],
    [{ fault: 'provider_connection' }, 'retry_same', 'connection_error', { breaker: true }],
    // A silent attempt moves on: never retried on the same provider.
    [{ fault: 'provider_timeout' }, 'next_candidate', 'timeout', { breaker: true }],
    [{ fault: 'provider_malformed' }, 'next_candidate', 'malformed', { breaker: true }],
    [{ fault: 'provider_stream_cut' }, 'next_candidate', 'stream_cut', { breaker: true }],
    [http(408), 'retry_same', 'request_timeout', { breaker: true }],
    [http(429), 'retry_same', 'rate_limited', { breaker: false, cool: true }],
    [http(500), 'retry_same', 'server_error', { breaker: true }],
    [http(502), 'retry_same', 'server_error', { breaker: true }],
    [http(503), 'retry_same', 'server_error', { breaker: true }],
    [http(504), 'retry_same', 'server_error', { breaker: true }],
    [http(529), 'retry_same', 'overloaded', { breaker: true }],
    [http(401), 'next_candidate', 'auth_failed', { breaker: false, keyFailing: true }],
    [http(403), 'next_candidate', 'auth_failed', { breaker: false, keyFailing: true }],
    [http(400), 'return_to_client', 'client_error', { breaker: false }],
    [http(404), 'return_to_client', 'client_error', { breaker: false }],
    [http(422), 'return_to_client', 'client_error', { breaker: false }],
    [http(200), 'return_to_client', 'not_an_error_status', { breaker: false }],
    // Error-aware fallback, by the defaults.
    [http(400, 'context_length_exceeded', 'invalid_request_error'), 'next_model', 'error_action', { breaker: false }],
    [http(400, 'content_filter', 'invalid_request_error'), 'return_to_client', 'error_action', { breaker: false }],
    [http(400, null as unknown as string, 'content_filter'), 'return_to_client', 'error_action', { breaker: false }],
    [http(400, 'content_policy_violation'), 'return_to_client', 'error_action', { breaker: false }],
    // A code never makes a 5xx, a 429 or a 401 the client's.
    [http(500, 'content_filter'), 'retry_same', 'server_error', { breaker: true }],
    [http(429, 'context_length_exceeded'), 'retry_same', 'rate_limited', { breaker: false, cool: true }],
    [http(401, 'content_filter'), 'next_candidate', 'auth_failed', { breaker: false, keyFailing: true }],
  ])('%j → %s (%s)', (fault, action, reason, effects) => {
    expect(classifyFailure(fault)).toEqual({
      action,
      reason,
      countsAgainstProvider: effects.breaker,
      coolDownKey: effects.cool ?? false,
      keyFailing: effects.keyFailing ?? false,
    });
  });

  it('follows a configured map: code before type, an operator can send a code back or on', () => {
    const actions = effectiveErrorActions({ context_length_exceeded: 'return', invalid_value: 'next', server_error: 'fallback' });
    expect(classifyFailure(http(400, 'context_length_exceeded'), actions).action).toBe('return_to_client');
    expect(classifyFailure(http(400, 'invalid_value', 'content_filter'), actions).action).toBe('next_candidate');
    expect(classifyFailure(http(400, 'other', 'content_filter'), actions).action).toBe('return_to_client');
    // Defaults stay for codes the map does not name.
    expect(classifyFailure(http(400, 'content_policy_violation'), actions).action).toBe('return_to_client');
    expect(effectiveErrorActions({ bogus: 'explode' })).toEqual(DEFAULT_ERROR_ACTIONS);
  });

  it.each<[unknown, string | undefined]>([
    [{ context_length_exceeded: 'fallback', content_filter: 'return', invalid_value: 'next' }, undefined],
    [{}, undefined],
    [[], '"errorActions" must map error codes or types to actions'],
    [null, '"errorActions" must map error codes or types to actions'],
    [{ context_length_exceeded: 'retry' }, 'action of "context_length_exceeded" must be one of fallback, next, return'],
    [{ 'a b': 'next' }, 'error code "a b" must be 1-100 letters, digits, "_", ".", ":" or "-"'],
    [Object.fromEntries(Array.from({ length: 101 }, (_, i) => [`c${i}`, 'next'])), 'at most 100 error actions'],
  ])('validates %j', (map, problem) => {
    expect(errorActionsProblem(map)).toBe(problem);
  });
});
