import { periodWindow } from './budget-period';

describe('periodWindow', () => {
  const at = Date.parse('2026-12-02T15:30:00Z'); // a Wednesday

  it.each([
    ['day', 'day:2026-12-02', '2026-12-03T00:00:00.000Z'],
    ['week', 'week:2026-11-30', '2026-12-07T00:00:00.000Z'],
    ['month', 'month:2026-12', '2027-01-01T00:00:00.000Z'],
  ])('%s: names the period and when it resets (UTC)', (period, key, resetsAt) => {
    const window = periodWindow(period, at);
    expect(window.key).toBe(key);
    expect(new Date(window.resetsAtMs as number).toISOString()).toBe(resetsAt);
  });

  it('starts a week on Monday, Sunday included in the week before', () => {
    expect(periodWindow('week', Date.parse('2026-12-06T23:59:59Z')).key).toBe('week:2026-11-30');
    expect(periodWindow('week', Date.parse('2026-12-07T00:00:00Z')).key).toBe('week:2026-12-07');
  });

  it('never resets a total budget', () => {
    expect(periodWindow('total', at)).toEqual({ key: 'total', resetsAtMs: undefined });
  });
});
