import { fixtureJson, fixtureText } from '../test/fixtures';
import { geminiHttpError, geminiStreamError, QUOTA_EXHAUSTED_RETRY_AFTER_MS } from './gemini-errors';

describe('geminiHttpError', () => {
  it.each<[string, number, string, object, number]>([
    ['429 per minute with RetryInfo', 429, 'error-429-per-minute.json', { status: 429, type: 'rate_limit_exceeded', code: 'rate_limit_exceeded', retryable: true }, 36_430],
    ['429 daily quota', 429, 'error-429-per-day.json', { status: 429, type: 'insufficient_quota', code: 'insufficient_quota', retryable: false }, QUOTA_EXHAUSTED_RETRY_AFTER_MS],
    ['429 limit 0', 429, 'error-429-limit-zero.json', { status: 429, type: 'insufficient_quota', retryable: false }, QUOTA_EXHAUSTED_RETRY_AFTER_MS],
    ['429 from Vertex, as an array, no details', 429, 'error-429-vertex-array.json', { status: 429, type: 'rate_limit_exceeded', retryable: true }, 0],
    ['400 API_KEY_INVALID (read as 401)', 400, 'error-400-api-key-invalid.json', { status: 401, upstreamStatus: 401, type: 'authentication_error', retryable: false }, 0],
    ['400 prompt too long', 400, 'error-400-context-length.json', { status: 400, type: 'invalid_request_error', code: 'context_length_exceeded', retryable: false }, 0],
    ['404 model', 404, 'error-404-model.json', { status: 404, type: 'not_found_error', code: 'model_not_found', retryable: false }, 0],
    ['503 UNAVAILABLE', 503, 'error-503-unavailable.json', { status: 503, upstreamStatus: 503, type: 'server_error', retryable: true }, 0],
  ])('maps %s', (_case, status, fixture, expected, retryAfterMs) => {
    const { error, retryAfterMs: asked } = geminiHttpError(status, fixtureText(fixture));
    expect(error).toMatchObject(expected);
    expect(asked).toBe(retryAfterMs);
    expect(error.message.length).toBeGreaterThan(0);
  });

  it.each<[number, string, object]>([
    [500, 'Internal Server Error', { status: 502, upstreamStatus: 500, type: 'api_error', retryable: true }],
    [504, '<html>gateway</html>', { status: 504, type: 'timeout_error', retryable: true }],
    [403, '', { status: 403, type: 'permission_error', retryable: false }],
    [418, '{"error": "teapot"}', { status: 400, type: 'invalid_request_error', retryable: false }],
  ])('reads a %i with an unreadable body from its status', (status, body, expected) => {
    expect(geminiHttpError(status, body).error).toMatchObject({ ...expected, message: `Gemini returned HTTP ${status}.` });
  });

  it('ignores a RetryInfo delay that is no Duration', () => {
    const body = { error: { code: 429, status: 'RESOURCE_EXHAUSTED', message: 'slow', details: [{ '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: '1e99s' }] } };
    expect(geminiHttpError(429, JSON.stringify(body)).retryAfterMs).toBe(0);
  });
});

describe('geminiStreamError', () => {
  it('reads the code of an error event as its status', () => {
    const event = fixtureJson<{ error: object }>('error-503-unavailable.json').error;
    expect(geminiStreamError(event).error).toMatchObject({ status: 503, upstreamStatus: 503, retryable: true });
  });

  it('falls back to the status name when the code is missing', () => {
    expect(geminiStreamError({ status: 'RESOURCE_EXHAUSTED', message: 'slow down' }).error).toMatchObject({ upstreamStatus: 429, status: 429 });
  });
});
