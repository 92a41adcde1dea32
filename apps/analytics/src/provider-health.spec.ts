import { attempt, usageEvent } from './usage-event.fixture';
import { healthStatus, ProviderHealthTracker } from './provider-health';
import { MAX_USAGE_CELLS_PER_BUCKET } from './usage-cells';

describe('healthStatus', () => {
  it.each([
    [0, 0, 0, 'healthy'],
    [100, 0.049, 10_000, 'healthy'],
    [100, 0.05, 100, 'degraded'],
    [100, 0, 10_001, 'degraded'],
    [4, 1, 100, 'degraded'],
    [5, 0.5, 100, 'down'],
    [5, 0.49, 100, 'degraded'],
    [1000, 0.9, 20_000, 'down'],
  ])('%d requests, error rate %d, p95 %d ms → %s', (requests, errorRate, p95, expected) => {
    expect(healthStatus(requests, errorRate, p95)).toBe(expected);
  });
});

describe('ProviderHealthTracker', () => {
  const start = 1_700_000_000_000;
  let now: number;
  let tracker: ProviderHealthTracker;

  beforeEach(() => {
    now = start;
    tracker = new ProviderHealthTracker({ now: () => now });
  });

  const record = (outcomes: string[], latencyMs = 100, provider = 'openai', model = 'gpt-4o'): void => {
    for (const outcome of outcomes) {
      tracker.record(usageEvent({ startedAtUnixMs: now - 10, durationMs: 10, outcome, attempts: [attempt({ provider, model, outcome, latencyMs })] }));
    }
  };

  it.each([
    ['healthy', Array(20).fill('success'), 'healthy'],
    ['one error in 20 (5 %)', [...Array(19).fill('success'), 'error'], 'degraded'],
    ['half of 10 failed', [...Array(5).fill('success'), ...Array(5).fill('timeout')], 'down'],
    ['4 of 4 failed: too few to be down', Array(4).fill('connection_error'), 'degraded'],
  ])('%s', (_name, outcomes, status) => {
    record(outcomes);
    const { providers, models } = tracker.health();
    expect(providers).toHaveLength(1);
    expect(providers[0]).toMatchObject({ provider: 'openai', model: '', status, requests: outcomes.length });
    expect(models[0]).toMatchObject({ provider: 'openai', model: 'gpt-4o', status });
  });

  it('leaves out attempts that say nothing about the provider: the client left or erred, our adapter service was down', () => {
    record([...Array(10).fill('success'), ...Array(10).fill('cancelled'), ...Array(10).fill('client_error'), ...Array(10).fill('gateway_error')]);
    const [health] = tracker.health().providers;
    expect(health).toMatchObject({ provider: 'openai', status: 'healthy', requests: 10, errorRate: 0 });
  });

  it('is degraded when the p95 latency exceeds 10 s', () => {
    for (let i = 0; i < 20; i++) record(['success'], i < 18 ? 200 : 12_000);
    const [health] = tracker.health().providers;
    expect(health.latencyMs).toEqual({ p50: 200, p95: 12_000 });
    expect(health.status).toBe('degraded');
  });

  it('computes p50/p95 latency and TTFT per provider and per model, each attempt counting for its provider', () => {
    for (let i = 1; i <= 100; i++) {
      tracker.record(
        usageEvent({
          startedAtUnixMs: now,
          durationMs: 0,
          stream: true,
          timeToFirstTokenMs: i * 2,
          provider: 'anthropic',
          attempts: [attempt({ outcome: 'error', status: 503, latencyMs: 50 }), attempt({ provider: 'anthropic', providerKind: 'anthropic', model: 'claude', latencyMs: i })],
        }),
      );
    }
    const { providers, models } = tracker.health();
    expect(providers.map((p) => [p.provider, p.status, p.requests, p.errorRate])).toEqual([
      ['anthropic', 'healthy', 100, 0],
      ['openai', 'down', 100, 1],
    ]);
    expect(providers[0].latencyMs).toEqual({ p50: 50, p95: 95 });
    expect(providers[0].timeToFirstTokenMs).toEqual({ p50: 100, p95: 190 });
    expect(providers[1].timeToFirstTokenMs).toEqual({ p50: 0, p95: 0 });
    expect(models.map((m) => `${m.provider}/${m.model}`)).toEqual(['anthropic/claude', 'openai/gpt-4o']);
  });

  it('forgets attempts older than 5 minutes (10-second buckets) and unlists idle providers', () => {
    record(['error', 'error', 'error', 'error', 'error']);
    now += 4 * 60_000;
    record(Array(10).fill('success'), 100, 'anthropic');
    expect(tracker.health().providers.map((p) => [p.provider, p.status])).toEqual([
      ['anthropic', 'healthy'],
      ['openai', 'down'],
    ]);
    now += 60_000 + 10_000;
    expect(tracker.health().providers.map((p) => p.provider)).toEqual(['anthropic']);
    now += 5 * 60_000;
    expect(tracker.health()).toEqual({ providers: [], models: [] });
  });

  it('places an event by when it ended, ignoring ones older than the longest window', () => {
    tracker.record(usageEvent({ startedAtUnixMs: now - 6 * 60_000, durationMs: 10 }));
    tracker.record(usageEvent({ startedAtUnixMs: now - 2 * 3600_000, durationMs: 10 }));
    expect(tracker.health().providers).toEqual([]);
    expect(tracker.usage(3600).map((r) => r.requests)).toEqual([1]);
  });

  it('sums usage by API key and model over the chosen window', () => {
    tracker.record(usageEvent({ startedAtUnixMs: now - 20 * 60_000 }));
    tracker.record(usageEvent({ startedAtUnixMs: now - 1000 }));
    tracker.record(usageEvent({ startedAtUnixMs: now - 1000, costUsd: 0.5 }));
    tracker.record(usageEvent({ startedAtUnixMs: now - 1000, apiKeyId: 'key-2', requestedModel: 'claude', hasUsage: false, usage: undefined, costUsd: 0 }));
    expect(tracker.usage(300)).toEqual([
      { apiKeyId: 'key-1', model: 'gpt-4o', requests: 2, inputTokens: 20, outputTokens: 10, costUsd: 0.501 },
      { apiKeyId: 'key-2', model: 'claude', requests: 1, inputTokens: 0, outputTokens: 0, costUsd: 0 },
    ]);
    expect(tracker.usage(3600)[0]).toMatchObject({ requests: 3, inputTokens: 30 });
    now += 3600_000;
    expect(tracker.usage(3600)).toEqual([]);
  });

  it('names a model in usage rows once a request for it was routed; unrouted client-chosen names add up in _OTHER', () => {
    const notFound = (requestedModel: string) => usageEvent({ requestedModel, outcome: 'error', httpStatus: 404, errorType: 'model_not_found', attempts: [], hasUsage: false, usage: undefined, costUsd: 0 });
    for (let i = 0; i < 1_000; i++) tracker.record(notFound(`${'x'.repeat(200)}-${i}`));
    tracker.record(usageEvent());
    tracker.record(usageEvent({ outcome: 'error', httpStatus: 503, errorType: 'no_provider_available', attempts: [], hasUsage: false, usage: undefined, costUsd: 0 }));
    tracker.record(usageEvent({ apiKeyId: '', requestedModel: '', outcome: 'error', httpStatus: 401, errorType: 'invalid_api_key', attempts: [], hasUsage: false, usage: undefined, costUsd: 0 }));
    expect(tracker.usage(300)).toEqual([
      { apiKeyId: '', model: '', requests: 1, inputTokens: 0, outputTokens: 0, costUsd: 0 },
      { apiKeyId: 'key-1', model: '_OTHER', requests: 1_000, inputTokens: 0, outputTokens: 0, costUsd: 0 },
      { apiKeyId: 'key-1', model: 'gpt-4o', requests: 2, inputTokens: 10, outputTokens: 5, costUsd: 0.001 },
    ]);
  });

  it('holds at most MAX_USAGE_CELLS_PER_BUCKET key and model cells per 10-second bucket, the rest in one overflow row', () => {
    const keys = MAX_USAGE_CELLS_PER_BUCKET + 100;
    for (let i = 0; i < keys; i++) tracker.record(usageEvent({ apiKeyId: `key-${String(i).padStart(4, '0')}` }));
    tracker.record(usageEvent({ apiKeyId: 'key-0000' }));
    const rows = tracker.usage(300);
    expect(rows).toHaveLength(MAX_USAGE_CELLS_PER_BUCKET + 1);
    expect(rows.find((r) => r.apiKeyId === 'key-0000')?.requests).toBe(2);
    expect(rows.find((r) => r.apiKeyId === '_OTHER')).toEqual({ apiKeyId: '_OTHER', model: '_OTHER', requests: 100, inputTokens: 1_000, outputTokens: 500, costUsd: expect.closeTo(0.1) });
    expect(rows.reduce((n, r) => n + r.requests, 0)).toBe(keys + 1);
    now += 10_000;
    tracker.record(usageEvent({ apiKeyId: 'key-new' }));
    expect(tracker.usage(300).find((r) => r.apiKeyId === 'key-new')?.requests).toBe(1);
  });

  it('keeps a bounded sample per bucket and still estimates percentiles', () => {
    let seed = 1;
    const random = (): number => ((seed = (seed * 16807) % 2147483647) - 1) / 2147483646;
    tracker = new ProviderHealthTracker({ now: () => now, random });
    for (let i = 0; i < 10_000; i++) tracker.record(usageEvent({ startedAtUnixMs: now, durationMs: 0, attempts: [attempt({ latencyMs: i % 1000 })] }));
    const [health] = tracker.health().providers;
    expect(health.requests).toBe(10_000);
    const { p50, p95 } = health.latencyMs ?? { p50: 0, p95: 0 };
    expect(p50).toBeGreaterThan(400);
    expect(p50).toBeLessThan(600);
    expect(p95).toBeGreaterThan(880);
  });
});
