import { keyStateCell } from './key-state-format';

describe('keyStateCell', () => {
  it('shows a key in the pool, cooling after a 429, failing after a 401 (highlighted), or unknown without a router answer', () => {
    expect(keyStateCell({ status: 'ok' })).toEqual({ label: 'in pool', badgeClass: 'badge badge-healthy', failing: false });
    const cooling = keyStateCell({ status: 'cooling', coolingUntil: '2026-01-01T10:00:30Z' });
    expect(cooling.label).toMatch(/^cooling \(429\) until \d{2}:\d{2}:\d{2}/);
    expect(cooling.failing).toBe(false);
    const failing = keyStateCell({ status: 'failing', failingStatus: 401, failingSince: '2026-01-01T10:00:00Z' });
    expect(failing.label).toMatch(/^failing \(401\) since .+: rotate it$/);
    expect(failing).toMatchObject({ badgeClass: 'badge badge-down', failing: true });
    expect(keyStateCell({ status: 'failing' }).label).toBe('failing: rotate it');
    expect(keyStateCell({})).toEqual({ label: 'unknown', badgeClass: 'badge badge-unknown', failing: false });
  });
});
