import { badgeClass, formatCount, formatMs, formatPercent, healthRows, updatedAt } from './health-format.js';

describe('health formatting', () => {
  it('formats error rates as percentages, keeping tiny rates visible', () => {
    expect(formatPercent(0)).toBe('0%');
    expect(formatPercent(0.0004)).toBe('<0.1%');
    expect(formatPercent(0.015)).toBe('1.5%');
    expect(formatPercent(0.02)).toBe('2%');
    expect(formatPercent(0.125)).toBe('13%');
    expect(formatPercent(1)).toBe('100%');
    expect(formatPercent(Number.NaN)).toBe('0%');
  });

  it('formats latencies in ms below a second, in seconds above', () => {
    expect(formatMs(0)).toBe('0 ms');
    expect(formatMs(86.6)).toBe('87 ms');
    expect(formatMs(1250)).toBe('1.25 s');
    expect(formatMs(12_500)).toBe('12.5 s');
    expect(formatMs(-1)).toBe('—');
    expect(formatMs(Number.NaN)).toBe('—');
  });

  it('formats counts and badge classes; unknown statuses get a neutral badge', () => {
    expect(formatCount(12345)).toBe('12,345');
    expect(formatCount(-3)).toBe('0');
    expect(badgeClass('healthy')).toBe('badge badge-healthy');
    expect(badgeClass('down')).toBe('badge badge-down');
    expect(badgeClass('<script>')).toBe('badge badge-unknown');
  });

  it('builds table rows worst status first, then by provider', () => {
    const rows = healthRows([
      { provider: 'openai', status: 'healthy', requests: 1200, errorRate: 0.01, latencyMs: { p50: 420, p95: 1800 } },
      { provider: 'anthropic', status: 'down', requests: 40, errorRate: 0.9, latencyMs: { p50: 0, p95: 0 } },
      { provider: 'vllm', status: 'degraded', requests: 3, errorRate: 0, latencyMs: { p50: 9000, p95: 31_000 } },
    ]);
    expect(rows.map((r) => r.provider)).toEqual(['anthropic', 'vllm', 'openai']);
    expect(rows[2]).toEqual({
      provider: 'openai',
      status: 'healthy',
      badgeClass: 'badge badge-healthy',
      requests: '1,200',
      errorRate: '1%',
      p50: '420 ms',
      p95: '1.80 s',
    });
  });

  it('says when the table was updated', () => {
    expect(updatedAt(new Date(2025, 0, 2, 3, 4, 5))).toBe('Updated 03:04:05');
  });
});
