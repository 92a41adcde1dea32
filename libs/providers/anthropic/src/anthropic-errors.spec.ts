import type { ProviderError } from '@ai-gateway/openai-api';
import { fixtureJson, type RecordedError } from '../test/fixtures';
import { anthropicHttpError, anthropicStreamError, isTransientStatus, redactApiKeys } from './anthropic-errors';

const body = (type: string, message: string): string => JSON.stringify({ type: 'error', error: { type, message }, request_id: 'req_1' });

describe('anthropicHttpError', () => {
  it.each<[string, ProviderError]>([
    [
      'error-429-rate-limit.json',
      {
        status: 429,
        upstreamStatus: 429,
        type: 'rate_limit_exceeded',
        code: 'rate_limit_exceeded',
        param: null,
        message: 'This request would exceed the rate limit for your organization of 50 requests per minute.',
        retryable: true,
      },
    ],
    [
      'error-529-overloaded.json',
      { status: 503, upstreamStatus: 529, type: 'server_error', code: 'overloaded', param: null, message: 'Overloaded', retryable: true },
    ],
    [
      'error-401-authentication.json',
      {
        status: 401,
        upstreamStatus: 401,
        type: 'authentication_error',
        code: 'invalid_api_key',
        param: null,
        message: 'invalid x-api-key',
        retryable: false,
      },
    ],
  ])('translates the recorded %s', (name, expected) => {
    const recorded = fixtureJson<RecordedError>(name);
    expect(anthropicHttpError(recorded.status, JSON.stringify(recorded.body))).toEqual(expected);
  });

  it.each<[number, string, number, string, string | null, boolean]>([
    [400, 'invalid_request_error', 400, 'invalid_request_error', null, false],
    [401, 'authentication_error', 401, 'authentication_error', 'invalid_api_key', false],
    // Decision: billing_error reads as OpenAI's insufficient_quota (429), not a 402 passthrough.
    [402, 'billing_error', 429, 'insufficient_quota', 'insufficient_quota', false],
    [403, 'permission_error', 403, 'permission_error', null, false],
    [404, 'not_found_error', 404, 'not_found_error', 'model_not_found', false],
    [409, 'conflict_error', 400, 'invalid_request_error', 'conflict', false],
    [413, 'request_too_large', 413, 'invalid_request_error', 'request_too_large', false],
    [429, 'rate_limit_error', 429, 'rate_limit_exceeded', 'rate_limit_exceeded', true],
    [500, 'api_error', 502, 'api_error', null, true],
    [504, 'timeout_error', 504, 'timeout_error', null, true],
    [529, 'overloaded_error', 503, 'server_error', 'overloaded', true],
  ])('maps HTTP %i %s to %i %s', (upstreamStatus, anthropicType, status, type, code, retryable) => {
    expect(anthropicHttpError(upstreamStatus, body(anthropicType, 'boom'))).toEqual({
      status,
      upstreamStatus,
      type,
      code,
      param: null,
      message: 'boom',
      retryable,
    });
  });

  it.each<[string, number, string, Partial<ProviderError>]>([
    ['an HTML body from a proxy', 502, '<html>Bad Gateway</html>', { status: 502, type: 'api_error', retryable: true }],
    ['an empty 529', 529, '', { status: 503, type: 'server_error', code: 'overloaded', retryable: true }],
    ['an empty 429', 429, '', { status: 429, type: 'rate_limit_exceeded', retryable: true }],
    ['an empty 408', 408, '', { status: 504, type: 'timeout_error', retryable: true }],
    ['an empty 503', 503, '', { status: 502, type: 'api_error', retryable: true }],
    ['an empty 418', 418, '', { status: 400, type: 'invalid_request_error', retryable: false }],
    ['JSON without an error object', 400, '{"message":"nope"}', { status: 400, type: 'invalid_request_error' }],
    ['an unknown error type', 500, body('brand_new_error', 'odd'), { status: 502, type: 'api_error', message: 'odd' }],
  ])('falls back to the status for %s', (_name, upstreamStatus, bodyText, expected) => {
    const error = anthropicHttpError(upstreamStatus, bodyText);
    expect(error).toMatchObject({ upstreamStatus, param: null, ...expected });
    expect(error.message).not.toBe('');
  });

  it('scrubs API keys from the message', () => {
    const error = anthropicHttpError(401, body('authentication_error', 'invalid x-api-key sk-ant-api03-AbC_123-xyz'));
    expect(error.message).toBe('invalid x-api-key [redacted]');
  });
});

describe('anthropicStreamError', () => {
  it.each<[string, number, number, string, boolean]>([
    ['overloaded_error', 503, 529, 'server_error', true],
    ['api_error', 502, 500, 'api_error', true],
    ['rate_limit_error', 429, 429, 'rate_limit_exceeded', true],
    ['timeout_error', 504, 504, 'timeout_error', true],
    ['invalid_request_error', 400, 400, 'invalid_request_error', false],
    ['permission_error', 403, 403, 'permission_error', false],
  ])('maps an in-stream %s to client %i, upstream status %i, %s', (anthropicType, status, upstreamStatus, type, retryable) => {
    expect(anthropicStreamError({ type: anthropicType, message: 'x' })).toMatchObject({ status, upstreamStatus, type, retryable });
  });

  it('reads an error event without fields, or of an unknown type, as a retryable api_error (500)', () => {
    expect(anthropicStreamError({})).toMatchObject({ status: 502, upstreamStatus: 500, type: 'api_error', retryable: true });
    expect(anthropicStreamError({ type: 'brand_new_error' })).toMatchObject({ upstreamStatus: 500, retryable: true });
  });
});

describe('isTransientStatus', () => {
  it.each([
    [408, true],
    [429, true],
    [500, true],
    [502, true],
    [503, true],
    [504, true],
    [529, true],
    [400, false],
    [401, false],
    [403, false],
    [404, false],
    [413, false],
  ])('%i → %s', (status, transient) => {
    expect(isTransientStatus(status)).toBe(transient);
  });
});

describe('redactApiKeys', () => {
  it.each([
    ['invalid key sk-ant-api03-abcdefGHIJ_kl-mn', 'invalid key [redacted]'],
    ['key sk-proj-abc123def456 and sk-ant-admin01-zzzzzzzz', 'key [redacted] and [redacted]'],
    ['no keys here, just sk-', 'no keys here, just sk-'],
    ['task-12345678 is not a key', 'task-12345678 is not a key'],
  ])('%s', (input, expected) => {
    expect(redactApiKeys(input)).toBe(expected);
  });
});
