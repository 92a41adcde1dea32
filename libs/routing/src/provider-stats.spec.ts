import { ProviderStats } from './provider-stats';

describe('ProviderStats', () => {
  it('keeps EWMAs of time to first token, latency and failures, with sample counts', () => {
    const stats = new ProviderStats(0.5);
    stats.record({ provider: 'openai', model: 'gpt-4o', outcome: 'success', ttftMs: 100 });
    stats.record({ provider: 'openai', model: 'gpt-4o', outcome: 'success', ttftMs: 300, latencyMs: 1000 });
    stats.record({ provider: 'openai', model: 'gpt-4o', outcome: 'failure' });
    expect(stats.figures('openai', 'gpt-4o')).toMatchObject({ ewmaTtftMs: 200, ewmaLatencyMs: 1000, latencySamples: 2, errorRate: 0.5, outcomeSamples: 3 });
    expect(stats.figures('openai', 'gpt-4o-mini')).toBeUndefined();
  });

  it('takes a hedge loser’s elapsed time as a floor: it raises a lower estimate, leaving its error rate alone', () => {
    const stats = new ProviderStats(0.5);
    stats.record({ provider: 'slow', model: 'm', outcome: 'success', ttftMs: 100, latencyMs: 200 });
    stats.record({ provider: 'slow', model: 'm', outcome: 'outpaced', ttftMs: 900 });
    stats.record({ provider: 'slow', model: 'm', outcome: 'outpaced', latencyMs: 700 });
    expect(stats.figures('slow', 'm')).toMatchObject({ ewmaTtftMs: 900, ewmaLatencyMs: 700, latencySamples: 1, errorRate: 0, outcomeSamples: 1 });
  });

  it('never lowers an estimate with a hedge loser’s elapsed time, nor starts one from it', () => {
    const stats = new ProviderStats();
    for (let i = 0; i < 10; i++) stats.record({ provider: 'slow', model: 'm', outcome: 'success', ttftMs: 3_000, latencyMs: 3_000 });
    // Outpaced 20 ms after it started: it only proves the provider takes more than 20 ms.
    for (let i = 0; i < 10; i++) stats.record({ provider: 'slow', model: 'm', outcome: 'outpaced', ttftMs: 20, latencyMs: 20 });
    expect(stats.figures('slow', 'm')).toMatchObject({ ewmaTtftMs: 3_000, ewmaLatencyMs: 3_000, latencySamples: 10 });
    stats.record({ provider: 'new', model: 'm', outcome: 'outpaced', ttftMs: 20, latencyMs: 20 });
    expect(stats.figures('new', 'm')).toMatchObject({ ewmaTtftMs: undefined, ewmaLatencyMs: undefined, latencySamples: 0, outcomeSamples: 0 });
  });

  it('keeps a hedge loser’s elapsed time out of the p95 of times to first token', () => {
    const stats = new ProviderStats();
    for (let i = 0; i < 10; i++) stats.record({ provider: 'a', model: 'm', outcome: 'success', ttftMs: 1_000 });
    for (let i = 0; i < 100; i++) stats.record({ provider: 'a', model: 'm', outcome: 'outpaced', ttftMs: 5 });
    expect(stats.p95TtftMs('a', 'm')).toBe(1_000);
  });

  it('holds a bounded number of entries, dropping the least recently fed', () => {
    const stats = new ProviderStats(0.3, 2);
    stats.record({ provider: 'a', model: 'm', outcome: 'success' });
    stats.record({ provider: 'b', model: 'm', outcome: 'success' });
    stats.record({ provider: 'a', model: 'm', outcome: 'success' });
    stats.record({ provider: 'c', model: 'm', outcome: 'success' });
    expect(stats.all().map((entry) => entry.provider)).toEqual(['a', 'c']);
  });

  it('keeps a bounded window of recent times to first token for their p95', () => {
    const stats = new ProviderStats();
    for (let ms = 1; ms <= 9; ms++) stats.record({ provider: 'a', model: 'm', outcome: 'success', ttftMs: ms });
    expect(stats.p95TtftMs('a', 'm')).toBeUndefined();
    for (let ms = 10; ms <= 100; ms++) stats.record({ provider: 'a', model: 'm', outcome: 'success', ttftMs: ms });
    // The window holds the last 64 (37..100): its p95 is the 61st.
    expect(stats.p95TtftMs('a', 'm')).toBe(97);
    expect(stats.p95TtftMs('b', 'm')).toBeUndefined();
  });

  it('drops providers no longer configured', () => {
    const stats = new ProviderStats();
    stats.record({ provider: 'a', model: 'm', outcome: 'success' });
    stats.record({ provider: 'b', model: 'm', outcome: 'success' });
    stats.retainProviders(new Set(['b']));
    expect(stats.all().map((entry) => entry.provider)).toEqual(['b']);
  });
});
