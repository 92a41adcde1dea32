import { CircuitBreaker } from './circuit-breaker';
import { panicCandidate } from './panic-routing';

describe('panic routing', () => {
  it('picks the candidate that failed least recently', () => {
    const failedAt: Record<string, number> = { a: 300, b: 100, c: 200 };
    expect(panicCandidate(['a', 'b', 'c'], (c) => failedAt[c])).toBe('b');
    expect(panicCandidate([], () => 0)).toBeUndefined();
  });

  it('probes an open circuit at once: a success closes it, a failure re-opens it', () => {
    let now = 0;
    const breaker = new CircuitBreaker({ consecutiveFailures: 1, cooldownMs: 30_000, now: () => now });
    breaker.recordFailure('p/m');
    now = 10;
    breaker.recordFailure('q/m');
    expect([breaker.available('p/m'), breaker.available('q/m')]).toEqual([false, false]);
    expect(panicCandidate(['q/m', 'p/m'], (k) => breaker.lastFailureAt(k))).toBe('p/m');
    breaker.forceProbe('p/m');
    expect(breaker.state('p/m')).toBe('half_open');
    breaker.recordSuccess('p/m');
    expect(breaker.state('p/m')).toBe('closed');
    breaker.forceProbe('q/m');
    breaker.recordFailure('q/m');
    expect(breaker.state('q/m')).toBe('open');
    expect(breaker.lastFailureAt('q/m')).toBe(10);
  });

  it('an abandoned probe (client left, rate limit) leaves the circuit ready for the next one', () => {
    let now = 0;
    const breaker = new CircuitBreaker({ consecutiveFailures: 1, cooldownMs: 30_000, now: () => now });
    breaker.recordFailure('p/m');
    breaker.forceProbe('p/m');
    breaker.recordAbandoned('p/m');
    expect(breaker.available('p/m')).toBe(true);
    now = 1;
    expect(breaker.allow('p/m')).toBe(true);
  });
});
