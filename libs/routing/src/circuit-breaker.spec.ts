import { CIRCUIT_MAX_ENTRIES, CIRCUIT_STATE_VALUE, CircuitBreaker, type CircuitBreakerOptions, type CircuitPass, type CircuitState, circuitKey, CLOSED_CIRCUIT_PASS } from './circuit-breaker';

/** 'fail', 'succeed', 'abandon': the outcome of the request last let through (it holds the probe, if it took it); 'other …': of a request let through before the circuit opened. */
type Step =
  | 'fail'
  | 'succeed'
  | 'abandon'
  | 'other fails'
  | 'other succeeds'
  | 'other abandons'
  | { readonly advanceMs: number }
  | { readonly allow: boolean }
  | { readonly state: CircuitState };

const KEY = circuitKey('openai', 'gpt-4o');

function run(steps: readonly Step[], options: Omit<CircuitBreakerOptions, 'now'> = {}): void {
  let now = 1_000_000;
  const breaker = new CircuitBreaker({ ...options, now: () => now });
  let held: CircuitPass = CLOSED_CIRCUIT_PASS;
  steps.forEach((step, index) => {
    const at = `step ${index}: ${JSON.stringify(step)}`;
    if (step === 'fail') breaker.recordFailure(KEY, held);
    else if (step === 'succeed') breaker.recordSuccess(KEY, held);
    else if (step === 'abandon') breaker.recordAbandoned(KEY, held);
    else if (step === 'other fails') breaker.recordFailure(KEY, CLOSED_CIRCUIT_PASS);
    else if (step === 'other succeeds') breaker.recordSuccess(KEY, CLOSED_CIRCUIT_PASS);
    else if (step === 'other abandons') breaker.recordAbandoned(KEY, CLOSED_CIRCUIT_PASS);
    else if ('advanceMs' in step) now += step.advanceMs;
    else if ('allow' in step) {
      const pass = breaker.allow(KEY);
      expect([at, pass !== undefined]).toEqual([at, step.allow]);
      if (pass) held = pass;
    } else expect([at, breaker.state(KEY)]).toEqual([at, step.state]);
  });
}

const fail = (times: number): Step[] => Array<Step>(times).fill('fail');
const succeed = (times: number): Step[] => Array<Step>(times).fill('succeed');

describe('CircuitBreaker', () => {
  it.each<[string, Step[], Omit<CircuitBreakerOptions, 'now'>?]>([
    ['an unknown key is closed and allowed', [{ state: 'closed' }, { allow: true }]],
    ['four failures keep it closed', [...fail(4), { state: 'closed' }, { allow: true }]],
    ['five consecutive failures open it', [...fail(5), { state: 'open' }, { allow: false }]],
    ['a success resets the consecutive count', [...fail(4), 'succeed', ...fail(4), { state: 'closed' }]],
    ['a configured threshold', [...fail(2), { state: 'open' }], { consecutiveFailures: 2 }],
    ['open skips until the cooldown ends', [...fail(5), { advanceMs: 29_999 }, { allow: false }, { state: 'open' }]],
    ['after the cooldown it is half-open', [...fail(5), { advanceMs: 30_000 }, { state: 'half_open' }]],
    ['half-open lets exactly one probe through', [...fail(5), { advanceMs: 30_000 }, { allow: true }, { allow: false }, { allow: false }, { state: 'half_open' }]],
    ['a successful probe closes it', [...fail(5), { advanceMs: 30_000 }, { allow: true }, 'succeed', { state: 'closed' }, { allow: true }, { allow: true }]],
    ['a failed probe re-opens it for another cooldown', [...fail(5), { advanceMs: 30_000 }, { allow: true }, 'fail', { state: 'open' }, { advanceMs: 29_999 }, { allow: false }, { advanceMs: 1 }, { allow: true }]],
    ['after closing, failures count from zero', [...fail(5), { advanceMs: 30_000 }, { allow: true }, 'succeed', ...fail(4), { state: 'closed' }, 'fail', { state: 'open' }]],
    ['a configured cooldown', [...fail(5), { advanceMs: 999 }, { allow: false }, { advanceMs: 1 }, { allow: true }], { cooldownMs: 1000 }],
    ['late results while open change nothing', [...fail(5), 'succeed', { state: 'open' }, 'fail', { advanceMs: 30_000 }, { allow: true }]],
    ['a probe that never reports is given up after a cooldown', [...fail(5), { advanceMs: 30_000 }, { allow: true }, { advanceMs: 29_999 }, { allow: false }, { advanceMs: 1 }, { allow: true }]],
    ['an abandoned probe frees the next one at once', [...fail(5), { advanceMs: 30_000 }, { allow: true }, 'abandon', { state: 'half_open' }, { allow: true }, { allow: false }]],
    ['abandoning while closed changes nothing', [...fail(4), 'abandon', 'fail', { state: 'open' }]],
    ['only the probe frees itself: another request abandoning leaves it in flight',
      [...fail(5), { advanceMs: 30_000 }, { allow: true }, 'other abandons', { allow: false }, { state: 'half_open' }]],
    ['another request failing while the probe is out leaves the verdict to the probe',
      [...fail(5), { advanceMs: 30_000 }, { allow: true }, 'other fails', { allow: false }, 'succeed', { state: 'closed' }]],
    ['a success under the probe’s pass closes it even after a failure under that pass re-opened it (its hedged twin on another key answered)',
      [...fail(5), { advanceMs: 30_000 }, { allow: true }, 'fail', { state: 'open' }, 'succeed', { state: 'closed' }]],
    ['the probe’s pass settles nothing once the circuit opened anew',
      [...fail(5), { advanceMs: 30_000 }, { allow: true }, 'succeed', { state: 'closed' }, 'other fails', 'other fails', 'other fails', 'other fails', 'other fails', { state: 'open' }, 'succeed', { state: 'open' }]],
    ['another request succeeding while the probe is out does not close it',
      [...fail(5), { advanceMs: 30_000 }, { allow: true }, 'other succeeds', { state: 'half_open' }, { allow: false }, 'fail', { state: 'open' }]],
    ['the failure rate opens it without consecutive failures',
      [...Array.from({ length: 10 }, (): Step[] => ['succeed', 'fail']).flat(), { state: 'open' }]],
    ['the failure rate waits for the minimum requests',
      [...Array.from({ length: 9 }, (): Step[] => ['fail', 'succeed']).flat(), 'fail', { state: 'closed' }]],
    ['the failure rate counts only the window',
      [...succeed(20), ...Array.from({ length: 9 }, (): Step[] => ['fail', 'succeed']).flat(), { state: 'closed' }, 'fail', { state: 'open' }]],
    ['the failure rate below the threshold stays closed',
      [...Array.from({ length: 10 }, (): Step[] => ['fail', 'succeed', 'succeed']).flat(), { state: 'closed' }]],
    ['the failure rate rule can be turned off',
      [...Array.from({ length: 30 }, (): Step[] => ['fail', 'succeed']).flat(), { state: 'closed' }], { failureRate: false }],
    ['a configured failure rate',
      ['fail', 'succeed', 'succeed', 'fail', { state: 'open' }], { failureRate: { threshold: 0.5, window: 4, minimumRequests: 4 } }],
    // A rest parameter: jest reads a third named parameter as a `done` callback.
  ])('%s', (...[, steps, options]) => {
    run(steps, options);
  });

  it('keeps circuits apart per key', () => {
    const breaker = new CircuitBreaker({ consecutiveFailures: 1, now: () => 0 });
    breaker.recordFailure(circuitKey('openai', 'gpt-4o'));
    expect(breaker.allow(circuitKey('openai', 'gpt-4o'))).toBeUndefined();
    expect(breaker.allow(circuitKey('openai', 'gpt-4o-mini'))).toBe(CLOSED_CIRCUIT_PASS);
    expect(breaker.allow(circuitKey('backup', 'gpt-4o'))).toBe(CLOSED_CIRCUIT_PASS);
  });

  it.each<[CircuitState, number]>([
    ['closed', 0],
    ['half_open', 1],
    ['open', 2],
  ])('%s is %d as a metric', (state, value) => {
    expect(CIRCUIT_STATE_VALUE[state]).toBe(value);
  });

  it('reports every circuit in a snapshot', () => {
    let now = 0;
    const breaker = new CircuitBreaker({ consecutiveFailures: 2, cooldownMs: 100, now: () => now });
    breaker.recordFailure('a/x');
    breaker.recordFailure('b/y');
    breaker.recordFailure('b/y');
    breaker.recordFailure('c/z');
    breaker.recordFailure('c/z');
    now = 100;
    breaker.recordSuccess('d/w');
    expect(breaker.snapshot()).toEqual([
      { key: 'a/x', state: 'closed', stateValue: 0, consecutiveFailures: 1 },
      { key: 'b/y', state: 'half_open', stateValue: 1, consecutiveFailures: 2 },
      { key: 'c/z', state: 'half_open', stateValue: 1, consecutiveFailures: 2 },
      { key: 'd/w', state: 'closed', stateValue: 0, consecutiveFailures: 0 },
    ]);
    expect(breaker.stateValue('b/y')).toBe(1);
    now = 99;
    expect(breaker.stateValue('b/y')).toBe(2);
  });

  it('holds at most CIRCUIT_MAX_ENTRIES circuits however many model names clients make up', () => {
    const breaker = new CircuitBreaker({ now: () => 0 });
    for (let i = 0; i < 5_000; i++) {
      const key = circuitKey('openai', `made-up-${i}`);
      if (i % 2) breaker.recordFailure(key);
      else breaker.recordSuccess(key);
    }
    expect(breaker.snapshot()).toHaveLength(CIRCUIT_MAX_ENTRIES);
    expect(breaker.snapshot()[CIRCUIT_MAX_ENTRIES - 1].key).toBe(circuitKey('openai', 'made-up-4999'));
  });

  it('drops the least recently fed closed circuit first, an open one only when every circuit is open', () => {
    const breaker = new CircuitBreaker({ consecutiveFailures: 1, maxCircuits: 3, now: () => 0 });
    const keys = (): string[] => breaker.snapshot().map((entry) => entry.key);
    breaker.recordFailure('a/open');
    breaker.recordSuccess('b/closed');
    breaker.recordSuccess('c/closed');
    breaker.recordSuccess('b/closed');
    breaker.recordSuccess('d/closed');
    expect(keys()).toEqual(['a/open', 'b/closed', 'd/closed']);
    expect(breaker.state('a/open')).toBe('open');
    breaker.recordFailure('b/closed');
    breaker.recordFailure('d/closed');
    breaker.recordFailure('e/open');
    expect(keys()).toEqual(['b/closed', 'd/closed', 'e/open']);
  });

  it('drops the circuits of providers no longer configured', () => {
    const breaker = new CircuitBreaker({ consecutiveFailures: 1, now: () => 0 });
    breaker.recordFailure(circuitKey('gone', 'gpt-4o'));
    breaker.recordSuccess(circuitKey('openai', 'gpt-4o'));
    breaker.recordSuccess(circuitKey('openai', 'org/model'));
    breaker.retainProviders(new Set(['openai']));
    expect(breaker.snapshot().map((entry) => entry.key)).toEqual(['openai/gpt-4o', 'openai/org/model']);
    expect(breaker.state(circuitKey('gone', 'gpt-4o'))).toBe('closed');
  });

  it('a probe given up after its cooldown cannot settle the circuit when it reports late', () => {
    let now = 0;
    const breaker = new CircuitBreaker({ consecutiveFailures: 1, cooldownMs: 1_000, now: () => now });
    breaker.recordFailure(KEY);
    now = 1_000;
    const givenUp = breaker.allow(KEY) as CircuitPass;
    now = 2_000;
    const next = breaker.allow(KEY) as CircuitPass;
    expect(next.probe).not.toBe(givenUp.probe);
    breaker.recordSuccess(KEY, givenUp);
    breaker.recordAbandoned(KEY, givenUp);
    expect([breaker.state(KEY), breaker.allow(KEY)]).toEqual(['half_open', undefined]);
    breaker.recordSuccess(KEY, next);
    expect(breaker.state(KEY)).toBe('closed');
  });
});
