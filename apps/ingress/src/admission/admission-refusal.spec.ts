import { refusalAnswer } from './admission-refusal';

const NOW = Date.parse('2026-12-02T15:30:10Z');
const team = { kind: 'team' as const, id: 'team_1', name: 'search' };

describe('refusalAnswer', () => {
  it('answers an exhausted budget with 429 budget_exceeded naming it, and tells SDKs not to retry', () => {
    const answer = refusalAnswer({ limit: 'budget', max: 25, remaining: 0.0001, resetsAtMs: Date.parse('2027-01-01T00:00:00Z') }, team, NOW);
    expect(answer.status).toBe(429);
    expect(answer.body.error).toMatchObject({ type: 'insufficient_quota', code: 'budget_exceeded', param: null });
    expect(answer.body.error.message).toContain('team "search" (team_1)');
    expect(answer.body.error.message).toContain('$25.00');
    expect(answer.body.error.message).toContain('2027-01-01T00:00:00.000Z');
    expect(answer.headers).toEqual({ 'x-should-retry': 'false' });
  });

  it.each(['requests', 'tokens'] as const)('answers the %s limit with its x-ratelimit-* headers and Retry-After', (limit) => {
    const answer = refusalAnswer({ limit, max: 60, remaining: 0, resetsAtMs: NOW + 49_500 }, { kind: 'key', id: 'key_1', name: 'bot' }, NOW);
    expect(answer.status).toBe(429);
    expect(answer.body.error).toMatchObject({ type: limit, code: 'rate_limit_exceeded' });
    expect(answer.headers).toEqual({
      [`x-ratelimit-limit-${limit}`]: '60',
      [`x-ratelimit-remaining-${limit}`]: '0',
      [`x-ratelimit-reset-${limit}`]: '50s',
      'retry-after': '50',
    });
  });

  it('answers the concurrency limit with 429 and a short Retry-After', () => {
    const answer = refusalAnswer({ limit: 'concurrent', max: 4, remaining: 0, resetsAtMs: undefined }, team, NOW);
    expect(answer.body.error.code).toBe('concurrency_limit_exceeded');
    expect(answer.headers['retry-after']).toBe('1');
  });
});
