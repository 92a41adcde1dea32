import { classifyFailure, type FailureClassification, type UpstreamFailure } from './failure-classification';

describe('classifyFailure', () => {
  it.each<[UpstreamFailure, FailureClassification]>([
    [{ kind: 'connection' }, { action: 'retry_same', reason: 'connection_error' }],
    [{ kind: 'timeout' }, { action: 'retry_same', reason: 'timeout' }],
    [{ kind: 'cancelled' }, { action: 'return_to_client', reason: 'cancelled' }],
    [{ kind: 'http', status: 408 }, { action: 'retry_same', reason: 'request_timeout' }],
    [{ kind: 'http', status: 429 }, { action: 'retry_same', reason: 'rate_limited' }],
    [{ kind: 'http', status: 500 }, { action: 'retry_same', reason: 'server_error' }],
    [{ kind: 'http', status: 502 }, { action: 'retry_same', reason: 'server_error' }],
    [{ kind: 'http', status: 503 }, { action: 'retry_same', reason: 'server_error' }],
    [{ kind: 'http', status: 504 }, { action: 'retry_same', reason: 'server_error' }],
    [{ kind: 'http', status: 529 }, { action: 'retry_same', reason: 'overloaded' }],
    [{ kind: 'http', status: 401 }, { action: 'next_candidate', reason: 'auth_failed' }],
    [{ kind: 'http', status: 403 }, { action: 'next_candidate', reason: 'auth_failed' }],
    [{ kind: 'http', status: 400 }, { action: 'return_to_client', reason: 'client_error' }],
    [{ kind: 'http', status: 404 }, { action: 'return_to_client', reason: 'client_error' }],
    [{ kind: 'http', status: 409 }, { action: 'return_to_client', reason: 'client_error' }],
    [{ kind: 'http', status: 413 }, { action: 'return_to_client', reason: 'client_error' }],
    [{ kind: 'http', status: 422 }, { action: 'return_to_client', reason: 'client_error' }],
    [{ kind: 'http', status: 424 }, { action: 'return_to_client', reason: 'client_error' }],
    [{ kind: 'http', status: 200 }, { action: 'return_to_client', reason: 'not_an_error_status' }],
    [{ kind: 'http', status: 302 }, { action: 'return_to_client', reason: 'not_an_error_status' }],
  ])('%j → %j', (failure, expected) => {
    expect(classifyFailure(failure)).toEqual(expected);
  });
});
