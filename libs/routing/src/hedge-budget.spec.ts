import { HEDGE_BURST_REQUESTS, HedgeBudget, hedgeBurst } from './hedge-budget';

describe('HedgeBudget', () => {
  it('allows a burst of maxShare × 20 hedges (at least one), then one in every 1 / maxShare requests', () => {
    expect(hedgeBurst(0.1)).toBe(2);
    expect(hedgeBurst(0.01)).toBe(1);
    expect(hedgeBurst(1)).toBe(HEDGE_BURST_REQUESTS);
    const budget = new HedgeBudget();
    const hedged: number[] = [];
    for (let i = 1; i <= 14; i++) {
      budget.request('gpt-4o', { afterMs: 100, maxShare: 0.25 });
      if (budget.tryHedge('gpt-4o')) hedged.push(i);
    }
    // The burst of five (refilled by a quarter per request meanwhile: a sixth), then every fourth request.
    expect(hedged).toEqual([1, 2, 3, 4, 5, 6, 9, 13]);
  });

  it('never hedges more than burst + N × maxShare of N requests, however many ask', () => {
    const budget = new HedgeBudget();
    let hedges = 0;
    for (let i = 0; i < 1_000; i++) {
      budget.request('gpt-4o', { afterMs: 100 });
      if (budget.tryHedge('gpt-4o')) hedges++;
      if (budget.tryHedge('gpt-4o')) hedges++;
    }
    expect(hedges).toBeLessThanOrEqual(hedgeBurst(0.1) + 1_000 * 0.1);
    expect(hedges).toBeGreaterThanOrEqual(1_000 * 0.1);
  });

  it('keeps each model to its own share', () => {
    const budget = new HedgeBudget();
    budget.request('a', { afterMs: 100, maxShare: 0.05 });
    expect(budget.tryHedge('a')).toBe(true);
    budget.request('b', { afterMs: 100, maxShare: 0.05 });
    expect(budget.tryHedge('b')).toBe(true);
    budget.request('a', { afterMs: 100, maxShare: 0.05 });
    expect(budget.tryHedge('a')).toBe(false);
  });

  it('never hedges a model whose share is 0', () => {
    const budget = new HedgeBudget();
    let hedges = 0;
    for (let i = 0; i < 50; i++) {
      budget.request('m', { afterMs: 100, maxShare: 0 });
      if (budget.tryHedge('m')) hedges++;
    }
    expect(hedges).toBe(0);
  });

  it('refuses a hedge for a model that has had no request', () => {
    expect(new HedgeBudget().tryHedge('never-seen')).toBe(false);
  });
});
