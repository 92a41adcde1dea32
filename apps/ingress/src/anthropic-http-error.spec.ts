import { toAnthropicHttpError } from './anthropic-http-error';
import { anthropicHttpError } from '@ai-gateway/providers-anthropic';
import { providerGrpcError } from '@ai-gateway/service-kit';
import { httpError, httpErrorFromGrpc, type HttpError } from './openai-http-error';

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
    ["a provider account without credit (OpenAI's 429 insufficient_quota)", httpError(429, 'no credit', 'insufficient_quota', null, 'insufficient_quota'), 402, 'billing_error'],
    ["the gateway's own budget refusal stays CONTRACT.md's 429", httpError(429, 'budget exhausted', 'budget_exceeded', null, 'insufficient_quota'), 429, 'rate_limit_error'],
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

  it.each<[number, string, number, string, number, string]>([
    [402, '{"type":"error","error":{"type":"billing_error","message":"Your credit balance is too low"}}', 429, 'insufficient_quota', 402, 'billing_error'],
    [409, '{"type":"error","error":{"type":"conflict_error","message":"conflict"}}', 400, 'invalid_request_error', 400, 'invalid_request_error'],
  ])("Anthropic's %d reaches the OpenAI wire as %d %s and the Messages wire as %d %s (it was 503 overloaded_error)", (upstream, body, openAiStatus, openAiType, anthropicStatus, anthropicType) => {
    const fromRouter = httpErrorFromGrpc(providerGrpcError('anthropic', anthropicHttpError(upstream, body)));
    expect(fromRouter.status).toBe(openAiStatus);
    expect(fromRouter.body.error.type).toBe(openAiType);
    const answer = toAnthropicHttpError(fromRouter, 'req_1');
    expect(answer.status).toBe(anthropicStatus);
    expect(answer.body.error.type).toBe(anthropicType);
  });
});
