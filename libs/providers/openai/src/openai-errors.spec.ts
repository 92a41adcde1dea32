import { clientStatusFor, isRetryableStatus, openAiProviderError, streamErrorOf } from './openai-errors';

describe('OpenAI-compatible provider errors', () => {
  it.each([
    [400, 400],
    [401, 502],
    [403, 502],
    [404, 404],
    [408, 504],
    [413, 413],
    [422, 400],
    [429, 429],
    [500, 502],
    [503, 502],
    [504, 504],
    [529, 502],
  ])('a provider %i is a client %i', (upstream, client) => {
    expect(clientStatusFor(upstream)).toBe(client);
  });

  it.each([
    [400, false],
    [401, false],
    [408, true],
    [409, true],
    [429, true],
    [500, true],
    [529, true],
  ])('status %i retryable: %s', (status, retryable) => {
    expect(isRetryableStatus(status)).toBe(retryable);
  });

  it('keeps the provider error fields and scrubs an echoed key', () => {
    const body = JSON.stringify({
      error: { message: 'Incorrect API key provided: sk-proj-abcdefghijklmnop1234. You can find...', type: 'invalid_request_error', param: null, code: 'invalid_api_key' },
    });
    const error = openAiProviderError(401, body);
    expect(error).toMatchObject({ status: 502, upstreamStatus: 401, type: 'invalid_request_error', code: 'invalid_api_key', retryable: false });
    expect(error.message).toContain('[redacted]');
    expect(error.message).not.toContain('abcdefghijklmnop');
  });

  it('names a rate limit as such and survives a body that is not JSON', () => {
    expect(openAiProviderError(429, '{"error":{"message":"slow down","type":"requests","code":"rate_limit_exceeded"}}')).toMatchObject({
      status: 429,
      code: 'rate_limit_exceeded',
      retryable: true,
    });
    expect(openAiProviderError(502, '<html>bad gateway</html>')).toMatchObject({ status: 502, type: 'server_error', message: 'provider answered HTTP 502' });
  });

  it('recognises an error event inside a stream, with the status its type stands for', () => {
    expect(streamErrorOf('{"error":{"message":"boom","type":"server_error","param":null,"code":null}}')).toMatchObject({
      status: 502,
      upstreamStatus: 500,
      message: 'boom',
      retryable: true,
    });
    expect(streamErrorOf('{ "error": {"message":"slow","type":"requests","code":"rate_limit_exceeded"}}')).toMatchObject({
      status: 429,
      upstreamStatus: 429,
      retryable: true,
    });
    expect(streamErrorOf('{"error":{"message":"busy","type":"server_error","code":"overloaded"}}')).toMatchObject({ upstreamStatus: 503 });
    expect(streamErrorOf('{"error":{"message":"too long","type":"invalid_request_error","code":"max_tokens_exceeded"}}')).toMatchObject({
      upstreamStatus: 400,
      status: 400,
      retryable: false,
    });
    expect(streamErrorOf('{"error":{"message":"?","type":"something_new"}}')).toMatchObject({ upstreamStatus: 500, retryable: true });
    expect(streamErrorOf('{"id":"chatcmpl-1","choices":[]}')).toBeUndefined();
    expect(streamErrorOf('not json')).toBeUndefined();
  });
});
