import { CircuitBreaker, CLOSED_CIRCUIT_PASS } from './circuit-breaker';
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
    const probe = breaker.forceProbe('p/m');
    expect(breaker.state('p/m')).toBe('half_open');
    breaker.recordSuccess('p/m', probe);
    expect(breaker.state('p/m')).toBe('closed');
    breaker.recordFailure('q/m', breaker.forceProbe('q/m'));
    expect(breaker.state('q/m')).toBe('open');
    expect(breaker.lastFailureAt('q/m')).toBe(10);
  });

  it('an abandoned probe (client left, rate limit) leaves the circuit ready for the next one', () => {
    let now = 0;
    const breaker = new CircuitBreaker({ consecutiveFailures: 1, cooldownMs: 30_000, now: () => now });
    breaker.recordFailure('p/m');
    breaker.recordAbandoned('p/m', breaker.forceProbe('p/m'));
    expect(breaker.available('p/m')).toBe(true);
    now = 1;
    expect(breaker.allow('p/m')?.probe).toBeGreaterThan(0);
  });

  it('forces one probe at a time: none while another is in flight, until it reports or is given up', () => {
    let now = 0;
    const breaker = new CircuitBreaker({ consecutiveFailures: 1, cooldownMs: 30_000, now: () => now });
    expect(breaker.forceProbe('p/m')).toBe(CLOSED_CIRCUIT_PASS);
    breaker.recordFailure('p/m');
    const probe = breaker.forceProbe('p/m');
    expect(probe?.probe).toBeGreaterThan(0);
    now = 1_000;
    expect(breaker.forceProbe('p/m')).toBeUndefined();
    expect(breaker.cooldownLeftMs('p/m')).toBe(29_000);
    now = 30_000;
    const next = breaker.forceProbe('p/m');
    expect(next?.probe).toBeGreaterThan(probe?.probe ?? 0);
    breaker.recordFailure('p/m', next);
    expect(breaker.forceProbe('p/m')?.probe).toBeGreaterThan(next?.probe ?? 0);
  });
});
