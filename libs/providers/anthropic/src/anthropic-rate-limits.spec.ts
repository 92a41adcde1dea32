import { fixtureJson, type RecordedError } from '../test/fixtures';
import { anthropicRateLimitHeaders, formatDuration } from './anthropic-rate-limits';

const NOW_MS = Date.parse('2025-01-01T00:00:00Z');

describe('anthropicRateLimitHeaders', () => {
  it('keeps the recorded 429 headers and adds the OpenAI names', () => {
    const recorded = fixtureJson<RecordedError>('error-429-rate-limit.json');
    const { ['request-id']: _requestId, ...rateLimitOnly } = recorded.headers;
    expect(anthropicRateLimitHeaders(recorded.headers, NOW_MS)).toEqual({
      ...rateLimitOnly,
      'x-ratelimit-limit-requests': '50',
      'x-ratelimit-remaining-requests': '0',
      'x-ratelimit-reset-requests': '17s',
      'x-ratelimit-limit-tokens': '40000',
      'x-ratelimit-remaining-tokens': '12000',
      'x-ratelimit-reset-tokens': '6m0s',
    });
  });

  it.each<[string, Record<string, string>, Record<string, string>]>([
    ['no headers', {}, {}],
    ['unrelated headers only', { 'content-type': 'application/json', 'request-id': 'req_1' }, {}],
    [
      'mixed-case names',
      { 'Anthropic-RateLimit-Requests-Remaining': '3', 'Retry-After': '2' },
      { 'anthropic-ratelimit-requests-remaining': '3', 'retry-after': '2', 'x-ratelimit-remaining-requests': '3' },
    ],
    [
      'a reset in the past (never negative)',
      { 'anthropic-ratelimit-tokens-reset': '2024-12-31T23:59:00Z' },
      { 'anthropic-ratelimit-tokens-reset': '2024-12-31T23:59:00Z', 'x-ratelimit-reset-tokens': '0s' },
    ],
    [
      'a reset with milliseconds',
      { 'anthropic-ratelimit-requests-reset': '2025-01-01T00:00:00.012Z' },
      { 'anthropic-ratelimit-requests-reset': '2025-01-01T00:00:00.012Z', 'x-ratelimit-reset-requests': '12ms' },
    ],
    [
      'an unreadable reset (kept, not mapped)',
      { 'anthropic-ratelimit-requests-reset': 'soon' },
      { 'anthropic-ratelimit-requests-reset': 'soon' },
    ],
    [
      'input/output token buckets (kept, no OpenAI name)',
      { 'anthropic-ratelimit-input-tokens-remaining': '5', 'anthropic-ratelimit-output-tokens-limit': '9' },
      { 'anthropic-ratelimit-input-tokens-remaining': '5', 'anthropic-ratelimit-output-tokens-limit': '9' },
    ],
  ])('%s', (_name, headers, expected) => {
    expect(anthropicRateLimitHeaders(headers, NOW_MS)).toEqual(expected);
  });
});

describe('formatDuration', () => {
  it.each([
    [0, '0s'],
    [12, '12ms'],
    [999, '999ms'],
    [1000, '1s'],
    [1500, '1.5s'],
    [1020, '1.02s'],
    [59_999, '59.999s'],
    [60_000, '1m0s'],
    [360_000, '6m0s'],
    [90_500, '1m30.5s'],
    [3_600_000, '1h0m0s'],
    [3_723_000, '1h2m3s'],
  ])('%i ms → %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });
});
