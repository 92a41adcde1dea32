import { type RetryDelayInput, retryDelayMs } from './backoff';

const NOW = Date.parse('2025-01-01T00:00:00Z');
const base: RetryDelayInput = {
  attempt: 1,
  baseMs: 100,
  maxMs: 2000,
  retryAfterMaxMs: 2000,
  remainingBudgetMs: 30_000,
  random: () => 0.5,
  nowMs: NOW,
};

describe('retryDelayMs', () => {
  it.each<[string, Partial<RetryDelayInput>, number | null]>([
    ['first retry: up to baseMs', { attempt: 1 }, 50],
    ['second retry doubles the ceiling', { attempt: 2 }, 100],
    ['third retry', { attempt: 3 }, 200],
    ['capped at maxMs', { attempt: 10 }, 1000],
    ['a huge attempt stays capped', { attempt: 5000 }, 1000],
    ['full jitter can be zero', { random: () => 0 }, 0],
    ['full jitter stays under the ceiling', { attempt: 2, random: () => 0.999 }, 199],
    ['a random value out of range is clamped', { random: () => 7 }, 100],
    ['backoff beyond the deadline moves on', { attempt: 10, remainingBudgetMs: 900 }, null],
    ['no time left moves on', { remainingBudgetMs: 0 }, null],
    ['Retry-After seconds honoured exactly', { retryAfterHeader: '1' }, 1000],
    ['retry-after-ms before Retry-After', { retryAfterMsHeader: '300', retryAfterHeader: '1' }, 300],
    ['Retry-After as an HTTP-date', { retryAfterHeader: 'Wed, 01 Jan 2025 00:00:01 GMT' }, 1000],
    ['Retry-After at the maximum', { retryAfterHeader: '2' }, 2000],
    ['Retry-After longer than allowed moves on', { retryAfterHeader: '3' }, null],
    ['retry-after-ms longer than allowed moves on', { retryAfterMsHeader: '2001' }, null],
    ['Retry-After beyond the deadline moves on', { retryAfterHeader: '1', remainingBudgetMs: 800 }, null],
    ['a raised maximum allows a longer wait', { retryAfterHeader: '5', retryAfterMaxMs: 10_000 }, 5000],
    ['an unusable Retry-After falls back to backoff', { retryAfterHeader: 'soon' }, 50],
    ['Retry-After 0 retries at once', { retryAfterHeader: '0' }, 0],
  ])('%s', (_case, overrides, expected) => {
    expect(retryDelayMs({ ...base, ...overrides })).toBe(expected);
  });

  it.each([1, 2, 3, 4, 5, 6])('attempt %d stays within [0, min(maxMs, base·2^(attempt−1)))', (attempt) => {
    const ceiling = Math.min(2000, 100 * 2 ** (attempt - 1));
    for (const value of [0, 0.1, 0.5, 0.9, 0.999999]) {
      const delay = retryDelayMs({ ...base, attempt, random: () => value });
      expect(delay).not.toBeNull();
      expect(delay).toBeGreaterThanOrEqual(0);
      expect(delay).toBeLessThan(ceiling);
    }
  });
});
