import { toAnthropicHttpError } from './anthropic-http-error';
import { httpError, type HttpError } from './openai-http-error';

describe('toAnthropicHttpError', () => {
  it.each<[string, HttpError, number, string]>([
    ['400', httpError(400, 'bad'), 400, 'invalid_request_error'],
    ['401', httpError(401, 'no key', 'invalid_api_key'), 401, 'authentication_error'],
    ['403', httpError(403, 'not allowed', 'model_not_allowed'), 403, 'permission_error'],
    ['404', httpError(404, 'no model', 'model_not_found'), 404, 'not_found_error'],
    ['413', httpError(413, 'too big', 'request_too_large'), 413, 'request_too_large'],
    ['429', httpError(429, 'slow down', 'rate_limit_exceeded'), 429, 'rate_limit_error'],
    ['502', httpError(502, 'every provider failed'), 502, 'api_error'],
    ['503', httpError(503, 'none', 'no_provider_available'), 503, 'overloaded_error'],
    ['504', httpError(504, 'late'), 504, 'timeout_error'],
    ['an overloaded provider (503 overloaded)', httpError(503, 'Overloaded', 'overloaded'), 529, 'overloaded_error'],
    ['every provider failed, the last one with 529', { ...httpError(502, 'Every provider failed'), upstreamStatus: 529 }, 529, 'overloaded_error'],
  ])('%s', (_name, error, status, type) => {
    const answer = toAnthropicHttpError(error, 'req_1');
    expect(answer.status).toBe(status);
    expect(answer.body).toEqual({ type: 'error', error: { type, message: error.body.error.message }, request_id: 'req_1' });
  });

  it('keeps the headers (retry-after, rate limits)', () => {
    const error = httpError(429, 'slow down');
    error.headers['retry-after'] = '7';
    expect(toAnthropicHttpError(error).headers).toEqual({ 'retry-after': '7' });
  });
});
