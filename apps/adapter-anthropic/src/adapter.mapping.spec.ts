import { clientHeaders, flatHeaders, retryAfterMs, toGrpcUsage } from './adapter.mapping';

describe('flatHeaders', () => {
  it('lowercases names, joins repeated values and drops missing ones', () => {
    expect(flatHeaders({ 'Retry-After': '3', 'set-cookie': ['a=1', 'b=2'], absent: undefined })).toEqual({
      'retry-after': '3',
      'set-cookie': 'a=1, b=2',
    });
  });
});

describe('clientHeaders', () => {
  it('keys the forwarded headers by lowercase name', () => {
    expect(clientHeaders([{ name: 'Anthropic-Beta', value: 'tools-2024' }])).toEqual({ 'anthropic-beta': 'tools-2024' });
  });
});

describe('retryAfterMs', () => {
  const now = Date.parse('2025-01-01T00:00:00Z');

  it('prefers retry-after-ms', () => {
    expect(retryAfterMs({ 'retry-after-ms': '1500', 'retry-after': '9' }, now)).toBe(1500);
  });

  it('reads retry-after in seconds', () => {
    expect(retryAfterMs({ 'retry-after': '2' }, now)).toBe(2000);
    expect(retryAfterMs({ 'retry-after': '0.25' }, now)).toBe(250);
  });

  it('reads retry-after as an HTTP date', () => {
    expect(retryAfterMs({ 'retry-after': 'Wed, 01 Jan 2025 00:00:30 GMT' }, now)).toBe(30_000);
    expect(retryAfterMs({ 'retry-after': 'Tue, 31 Dec 2024 23:00:00 GMT' }, now)).toBe(0);
  });

  it('is 0 when absent, negative or unreadable', () => {
    expect(retryAfterMs({}, now)).toBe(0);
    expect(retryAfterMs({ 'retry-after': '-3' }, now)).toBe(0);
    expect(retryAfterMs({ 'retry-after': 'soon' }, now)).toBe(0);
  });
});

describe('toGrpcUsage', () => {
  it('maps OpenAI usage with cached and reasoning details', () => {
    expect(
      toGrpcUsage({
        prompt_tokens: 10,
        completion_tokens: 5,
        total_tokens: 15,
        prompt_tokens_details: { cached_tokens: 4 },
        completion_tokens_details: { reasoning_tokens: 2 },
      }),
    ).toEqual({ promptTokens: 10, completionTokens: 5, totalTokens: 15, cachedPromptTokens: 4, reasoningTokens: 2 });
  });

  it('defaults missing details to 0', () => {
    expect(toGrpcUsage({ prompt_tokens: 1, completion_tokens: 2, total_tokens: 3 })).toMatchObject({ cachedPromptTokens: 0, reasoningTokens: 0 });
  });
});
