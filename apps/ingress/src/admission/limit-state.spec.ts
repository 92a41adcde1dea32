import { applyOperation, emptyState, MAX_BREAKDOWN_ENTRIES, reservedUsd, WINDOW_MS, type LimitOperation, type LimitState, type Policy } from './limit-state';

const NOW = Date.parse('2026-12-02T15:30:10Z');

function reserve(id: string, policy: Policy, fields: Partial<{ usd: number; tokens: number; expiresAtMs: number }> = {}): LimitOperation {
  return { kind: 'reserve', requestId: id, usd: fields.usd ?? 1, tokens: fields.tokens ?? 10, expiresAtMs: fields.expiresAtMs ?? NOW + 60_000, policy };
}

function settle(id: string, costUsd: number, tokens = 10): LimitOperation {
  return { kind: 'settle', requestId: id, costUsd, tokens, model: 'gpt-4o', provider: 'openai' };
}

function grantedCount(state: LimitState, ops: LimitOperation[], now = NOW): number {
  return ops.map((op) => applyOperation(state, op, now)).filter((r) => 'granted' in r && r.granted).length;
}

describe('limit state', () => {
  const budget: Policy = { budget: { amountUsd: 5, period: 'day' } };

  it('grants reservations up to the budget, counting what is reserved and what is spent', () => {
    const state = emptyState('day:2026-12-02', NOW);
    expect(grantedCount(state, ['a', 'b', 'c', 'd', 'e', 'f'].map((id) => reserve(id, budget)))).toBe(5);
    applyOperation(state, settle('a', 0.25), NOW);
    expect(state.spentUsd).toBeCloseTo(0.25);
    expect(reservedUsd(state)).toBe(4);
    expect(applyOperation(state, reserve('g', budget, { usd: 0.75 }), NOW)).toMatchObject({ granted: true });
    const full = applyOperation(state, reserve('h', budget, { usd: 0.01 }), NOW);
    expect(full).toMatchObject({ granted: false, refusal: { limit: 'budget', max: 5, remaining: 0, resetsAtMs: Date.parse('2026-12-03T00:00:00Z') } });
  });

  it('fills a budget made of exactly N reservations despite float sums', () => {
    const state = emptyState('total', NOW);
    const usd = 0.000123;
    const policy: Policy = { budget: { amountUsd: 20 * usd, period: 'total' } };
    expect(grantedCount(state, Array.from({ length: 50 }, (_, i) => reserve(`r${i}`, policy, { usd })))).toBe(20);
  });

  it('charges the actual cost at settlement and frees the reservation, and a late settlement still counts', () => {
    const state = emptyState('total', NOW);
    applyOperation(state, reserve('a', budget, { usd: 2 }), NOW);
    applyOperation(state, settle('a', 0.5), NOW);
    applyOperation(state, settle('never-reserved', 0.25), NOW);
    expect(state.spentUsd).toBeCloseTo(0.75);
    expect(state.reservations).toEqual({});
    expect(state.byModel).toEqual({ 'gpt-4o': 0.75 });
    expect(state.byProvider).toEqual({ openai: 0.75 });
  });

  it('lets an expired reservation go: it no longer counts against concurrency or budget', () => {
    const state = emptyState('total', NOW);
    const policy: Policy = { limits: { rpm: 0, tpm: 0, concurrent: 1 }, budget: { amountUsd: 1, period: 'total' } };
    expect(applyOperation(state, reserve('dead', policy, { expiresAtMs: NOW + 1000 }), NOW)).toMatchObject({ granted: true });
    expect(applyOperation(state, reserve('b', policy), NOW + 500)).toMatchObject({ granted: false, refusal: { limit: 'concurrent', max: 1, remaining: 0 } });
    expect(applyOperation(state, reserve('b', policy), NOW + 1000)).toMatchObject({ granted: true });
    expect(Object.keys(state.reservations)).toEqual(['b']);
  });

  it('counts a request answered by the reserving replica, not yet settled, out of concurrency but not out of the budget', () => {
    const state = emptyState('total', NOW);
    const policy: Policy = { limits: { rpm: 0, tpm: 0, concurrent: 1 }, budget: { amountUsd: 1.5, period: 'total' } };
    expect(applyOperation(state, reserve('first', policy), NOW)).toMatchObject({ granted: true });
    expect(applyOperation(state, reserve('second', policy), NOW)).toMatchObject({ granted: false, refusal: { limit: 'concurrent' } });
    expect(applyOperation(state, { ...reserve('second', policy), answered: ['first'] } as LimitOperation, NOW)).toMatchObject({ granted: false, refusal: { limit: 'budget' } });
    expect(applyOperation(state, { ...reserve('second', policy, { usd: 0.5 }), answered: ['first'] } as LimitOperation, NOW)).toMatchObject({ granted: true });
    expect(Object.keys(state.reservations)).toEqual(['first', 'second']);
  });

  it('grants the same reservation applied twice (a write retried after a timeout that had landed) without counting it twice', () => {
    const state = emptyState('total', NOW);
    const policy: Policy = { limits: { rpm: 5, tpm: 0, concurrent: 1 }, budget: { amountUsd: 1, period: 'total' } };
    expect(applyOperation(state, reserve('once', policy), NOW)).toMatchObject({ granted: true, window: { requests: { max: 5, remaining: 4 } } });
    expect(applyOperation(state, reserve('once', policy), NOW)).toMatchObject({ granted: true, window: { requests: { max: 5, remaining: 4 } } });
    expect(state.window.requests).toBe(1);
    expect(reservedUsd(state)).toBe(1);
  });

  it('counts requests and tokens per fixed minute window and names the limit with its reset', () => {
    const state = emptyState('total', NOW);
    const policy: Policy = { limits: { rpm: 3, tpm: 100, concurrent: 0 } };
    expect(grantedCount(state, ['a', 'b', 'c', 'd'].map((id) => reserve(id, policy, { tokens: 5 })))).toBe(3);
    const refused = applyOperation(state, reserve('e', policy), NOW);
    const windowEnd = Math.floor(NOW / WINDOW_MS) * WINDOW_MS + WINDOW_MS;
    expect(refused).toEqual({ granted: false, refusal: { limit: 'requests', max: 3, remaining: 0, resetsAtMs: windowEnd } });
    expect(applyOperation(state, reserve('e', policy), windowEnd)).toMatchObject({ granted: true, window: { requests: { max: 3, remaining: 2 } } });
  });

  it('refuses a reservation whose tokens would cross the TPM limit, and settles tokens to the actual count', () => {
    const state = emptyState('total', NOW);
    const policy: Policy = { limits: { rpm: 0, tpm: 100, concurrent: 0 } };
    expect(applyOperation(state, reserve('a', policy, { tokens: 80 }), NOW)).toMatchObject({ granted: true, window: { tokens: { max: 100, remaining: 20 } } });
    expect(applyOperation(state, reserve('b', policy, { tokens: 30 }), NOW)).toMatchObject({ granted: false, refusal: { limit: 'tokens', remaining: 20 } });
    applyOperation(state, settle('a', 0, 50), NOW);
    expect(state.window.tokens).toBe(50);
    expect(applyOperation(state, reserve('b', policy, { tokens: 30 }), NOW)).toMatchObject({ granted: true });
  });

  it('undoes a rolled-back grant entirely', () => {
    const state = emptyState('total', NOW);
    const policy: Policy = { limits: { rpm: 1, tpm: 0, concurrent: 0 } };
    applyOperation(state, reserve('a', policy), NOW);
    expect(applyOperation(state, { kind: 'rollback', requestId: 'a' }, NOW)).toEqual({ rolledBack: true });
    expect(state.window.requests).toBe(0);
    expect(applyOperation(state, reserve('b', policy), NOW)).toMatchObject({ granted: true });
  });

  it('starts a new budget period from zero spend, keeping reservations in flight', () => {
    const state = emptyState('day:2026-12-02', NOW);
    applyOperation(state, reserve('a', budget, { usd: 1, expiresAtMs: NOW + 86_400_000 }), NOW);
    applyOperation(state, settle('b', 4), NOW);
    expect(applyOperation(state, reserve('c', budget, { usd: 1 }), NOW)).toMatchObject({ granted: false, refusal: { limit: 'budget' } });
    const tomorrow = Date.parse('2026-12-03T00:00:01Z');
    expect(applyOperation(state, reserve('c', budget, { usd: 1, expiresAtMs: tomorrow + 60_000 }), tomorrow)).toMatchObject({ granted: true });
    expect(state.period).toBe('day:2026-12-03');
    expect(state.spentUsd).toBe(0);
  });

  it('keeps the spend breakdown bounded', () => {
    const state = emptyState('total', NOW);
    for (let i = 0; i < MAX_BREAKDOWN_ENTRIES * 2; i++) {
      applyOperation(state, { kind: 'settle', requestId: `r${i}`, costUsd: 1, tokens: 1, model: `model-${i}`, provider: `p-${i}` }, NOW);
    }
    expect(Object.keys(state.byModel)).toHaveLength(MAX_BREAKDOWN_ENTRIES);
    expect(Object.values(state.byModel).reduce((a, b) => a + b, 0)).toBe(MAX_BREAKDOWN_ENTRIES * 2);
    expect(state.byModel.other).toBe(MAX_BREAKDOWN_ENTRIES + 1);
  });
});
