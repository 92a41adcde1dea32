import { findCycle, formatModelList, parseModelList, parseRows, toRows } from './fallback-map.js';

describe('fallback map rows', () => {
  it('parses comma-separated model lists: trimmed, empty parts dropped, duplicates once', () => {
    expect(parseModelList(' claude-3-5-sonnet, gpt-4o-mini ,,claude-3-5-sonnet ')).toEqual(['claude-3-5-sonnet', 'gpt-4o-mini']);
    expect(parseModelList('')).toEqual([]);
    expect(formatModelList(['a', 'b'])).toBe('a, b');
  });

  it('formats a map as rows sorted by model, and parses them back to the same map', () => {
    const map = { 'gpt-4o': ['claude-3-5-sonnet', 'gpt-4o-mini'], 'claude-3-5-sonnet': ['gpt-4o'] };
    const rows = toRows({ 'gpt-4o': map['gpt-4o'] });
    expect(rows).toEqual([{ model: 'gpt-4o', fallbacks: 'claude-3-5-sonnet, gpt-4o-mini' }]);
    expect(parseRows(rows)).toEqual({ ok: true, map: { 'gpt-4o': ['claude-3-5-sonnet', 'gpt-4o-mini'] } });
    expect(toRows(map).map((r) => r.model)).toEqual(['claude-3-5-sonnet', 'gpt-4o']);
  });

  it('ignores blank rows and gives an empty map for no rows', () => {
    expect(parseRows([{ model: ' ', fallbacks: ' , ' }])).toEqual({ ok: true, map: {} });
    expect(parseRows([])).toEqual({ ok: true, map: {} });
  });

  it('reports every problem with its row and field', () => {
    const parsed = parseRows([
      { model: '', fallbacks: 'gpt-4o' },
      { model: 'gpt-4o', fallbacks: '' },
      { model: 'gpt-4o', fallbacks: 'x' },
      { model: 'claude-3-5-sonnet', fallbacks: 'claude-3-5-sonnet' },
      { model: 'gpt 4o', fallbacks: 'claude 3' },
    ]);
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(parsed.errors.map((e) => [e.row, e.field])).toEqual([
      [0, 'model'],
      [1, 'fallbacks'],
      [2, 'model'],
      [3, 'fallbacks'],
      [4, 'model'],
      [4, 'fallbacks'],
    ]);
    expect(parsed.errors[2].message).toContain('already listed in row 2');
    expect(parsed.errors[3].message).toContain('cannot fall back to itself');
  });

  it('refuses a cycle, naming it', () => {
    const parsed = parseRows([
      { model: 'a', fallbacks: 'b' },
      { model: 'b', fallbacks: 'c' },
      { model: 'c', fallbacks: 'a' },
    ]);
    expect(parsed).toEqual({ ok: false, errors: [expect.objectContaining({ field: 'fallbacks', message: 'Fallbacks form a cycle: a → b → c → a.' })] });
  });

  it('finds cycles only where there is one (chains and shared targets are fine)', () => {
    expect(findCycle({ a: ['b', 'c'], b: ['c'], c: ['d'] })).toBeUndefined();
    expect(findCycle({ x: ['y'], y: ['z', 'x'] })).toEqual(['x', 'y', 'x']);
  });
});
