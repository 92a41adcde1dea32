import { formatMs, formatRate, parsePolicyRows, toPolicyRows, type PolicyRow } from './routing-policies';

const row = (fields: Partial<PolicyRow>): PolicyRow => ({ model: '', strategy: 'priority', weights: '', hedgeAfter: '', hedgeMaxShare: '', ...fields });

describe('routing policy rows', () => {
  it('round-trips the policies: the default row first, then the models by name', () => {
    const policies = {
      default: { strategy: 'latency' as const },
      models: { 'gpt-4o': { strategy: 'weighted' as const, weights: { openai: 3, azure: 1 }, hedge: { afterMs: 800, maxShare: 0.2 } }, 'claude-3-5-sonnet': { strategy: 'cost' as const, hedge: { afterMs: 'p95' as const } } },
    };
    const rows = toPolicyRows(policies);
    expect(rows.map((r) => r.model)).toEqual(['', 'claude-3-5-sonnet', 'gpt-4o']);
    expect(rows[2]).toEqual({ model: 'gpt-4o', strategy: 'weighted', weights: 'openai=3, azure=1', hedgeAfter: '800', hedgeMaxShare: '0.2' });
    expect(parsePolicyRows(rows)).toEqual({ ok: true, policies });
  });

  it('names the row and field of each problem', () => {
    const parsed = parsePolicyRows([
      row({}),
      row({ model: 'gpt-4o', strategy: 'weighted', weights: 'openai' }),
      row({ model: 'gpt-4o-mini', strategy: 'weighted', weights: 'openai=0' }),
      row({ model: '', strategy: 'cost' }),
      row({ model: 'x', hedgeAfter: '0' }),
      row({ model: 'y', hedgeAfter: 'p95', hedgeMaxShare: '2' }),
      row({ model: 'z', hedgeMaxShare: '0.5' }),
      row({ model: 'x' }),
    ]);
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(parsed.errors.map((e) => [e.row, e.field])).toEqual([
      [1, 'weights'],
      [2, 'weights'],
      [3, 'model'],
      [4, 'hedgeAfter'],
      [5, 'hedgeMaxShare'],
      [6, 'hedgeAfter'],
      [7, 'model'],
    ]);
  });

  it('formats the live figures', () => {
    expect(formatMs(120.4)).toBe('120 ms');
    expect(formatMs(null)).toBe('—');
    expect(formatRate(0.125)).toBe('12.5%');
  });
});
