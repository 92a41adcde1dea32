import { budgetUsed, describeLimits, formatUsd, teamPolicyOf } from './team-form';

const empty = { budgetUsd: '', period: 'month', rpm: '', tpm: '', concurrent: '' };

describe('team form', () => {
  it('reads a budget and the limits that are set', () => {
    expect(teamPolicyOf({ ...empty, budgetUsd: '250', rpm: '600', concurrent: '0' })).toEqual({ budget: { amountUsd: 250, period: 'month' }, limits: { rpm: 600 } });
    expect(teamPolicyOf(empty)).toEqual({ budget: null, limits: null });
  });

  it('names the field that is wrong', () => {
    expect(teamPolicyOf({ ...empty, budgetUsd: '-3' })).toEqual({ error: expect.stringContaining('budget') });
    expect(teamPolicyOf({ ...empty, budgetUsd: '3', period: 'year' })).toEqual({ error: 'Choose the budget period.' });
    expect(teamPolicyOf({ ...empty, tpm: '1.5' })).toEqual({ error: expect.stringContaining('Tokens per minute') });
  });

  it('formats money, limits and the share of the budget used', () => {
    expect(formatUsd(12.5)).toBe('$12.50');
    expect(formatUsd(0.00042)).toBe('$0.000420');
    expect(describeLimits({ rpm: 60, concurrent: 2 })).toBe('60 req/min, 2 at once');
    expect(describeLimits(null)).toBe('none');
    expect(budgetUsed({ spentUsd: 40, reservedUsd: 10, budget: 100 })).toBe(0.5);
    expect(budgetUsed({ spentUsd: 1, reservedUsd: 0, budget: null })).toBeUndefined();
  });
});
