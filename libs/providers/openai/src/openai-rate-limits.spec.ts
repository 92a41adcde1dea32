import { openAiRateLimitHeaders } from './openai-rate-limits';

describe('openAiRateLimitHeaders', () => {
  it('keeps x-ratelimit-*, retry-after and retry-after-ms as they are, nothing else', () => {
    expect(
      openAiRateLimitHeaders({
        'x-ratelimit-limit-requests': '10000',
        'x-ratelimit-reset-tokens': '6m0s',
        'retry-after': '3',
        'retry-after-ms': '2500',
        'x-request-id': 'req_1',
        'set-cookie': ['a=1', 'b=2'],
        'content-type': undefined,
      }),
    ).toEqual({ 'x-ratelimit-limit-requests': '10000', 'x-ratelimit-reset-tokens': '6m0s', 'retry-after': '3', 'retry-after-ms': '2500' });
  });
});
