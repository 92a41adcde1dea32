import { recordedError } from '../test/fixtures';
import { azureProviderError, azureStreamError } from './azure-openai.errors';
import type { ProviderError } from '@ai-gateway/openai-api';
import { streamErrorOf } from '@ai-gateway/providers-openai';

const context = { deployment: 'prod-gpt4o', model: 'gpt-4o' };
const errorOf = (name: string) => {
  const recorded = recordedError(name);
  return azureProviderError(recorded.status, JSON.stringify(recorded.body), context);
};

describe('Azure OpenAI errors', () => {
  it('passes a filtered prompt back to the client as a 400 content_filter, never retried', () => {
    expect(errorOf('error-content-filter.json')).toMatchObject({
      status: 400,
      upstreamStatus: 400,
      type: 'invalid_request_error',
      code: 'content_filter',
      param: 'prompt',
      retryable: false,
    });
    expect(errorOf('error-content-filter.json').message).toMatch(/content management policy/);
  });

  it('names the deployment and the model when the deployment does not exist', () => {
    const error = errorOf('error-deployment-not-found.json');
    expect(error).toMatchObject({ status: 404, upstreamStatus: 404, code: 'deployment_not_found', param: 'model', retryable: false });
    expect(error.message).toContain('"prod-gpt4o" (for model gpt-4o)');
    expect(error.message).toContain('does not exist');
  });

  it('keeps a rate limit a retryable 429', () => {
    expect(errorOf('error-rate-limit.json')).toMatchObject({ status: 429, upstreamStatus: 429, type: 'rate_limit_exceeded', retryable: true });
  });

  it('keeps an Azure 404 that is no missing deployment as it is', () => {
    expect(azureProviderError(404, '{"error":{"code":"404","message":"Resource not found"}}', context)).toMatchObject({ status: 404, code: '404', message: 'Resource not found' });
  });

  it('makes a content-filter error event inside a 200 stream the client\'s 400', () => {
    const inBand = streamErrorOf('{"error":{"message":"The response was filtered","type":null,"param":"prompt","code":"content_filter","status":400}}') as ProviderError;
    expect(inBand).toMatchObject({ upstreamStatus: 500, retryable: true });
    expect(azureStreamError(inBand)).toMatchObject({ status: 400, upstreamStatus: 400, code: 'content_filter', retryable: false });
    const server = streamErrorOf('{"error":{"message":"The server had an error","type":"server_error","code":null}}') as ProviderError;
    expect(azureStreamError(server)).toBe(server);
  });
});
