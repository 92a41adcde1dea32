// The team form's fields as the admin API takes them, checked before anything is sent.
import type { Budget, BudgetPeriod, Limits } from './admin-api.js';

export const BUDGET_PERIODS: readonly BudgetPeriod[] = ['day', 'week', 'month', 'total'];

export interface TeamFormFields {
  budgetUsd: string;
  period: string;
  rpm: string;
  tpm: string;
  concurrent: string;
}

export type TeamPolicy = { budget: Budget | null; limits: Limits | null } | { error: string };

/** Empty budget: none; empty limit: none. A bad number names its field. */
export function teamPolicyOf(fields: TeamFormFields): TeamPolicy {
  let budget: Budget | null = null;
  if (fields.budgetUsd.trim() !== '') {
    const amountUsd = Number(fields.budgetUsd);
    if (!Number.isFinite(amountUsd) || amountUsd < 0) return { error: 'The budget must be an amount of US dollars, 0 or more.' };
    if (!BUDGET_PERIODS.includes(fields.period as BudgetPeriod)) return { error: 'Choose the budget period.' };
    budget = { amountUsd, period: fields.period as BudgetPeriod };
  }
  const limits: Limits = {};
  const named: Array<[keyof Limits, string, string]> = [
    ['rpm', fields.rpm, 'Requests per minute'],
    ['tpm', fields.tpm, 'Tokens per minute'],
    ['concurrent', fields.concurrent, 'Concurrent requests'],
  ];
  for (const [field, text, label] of named) {
    if (text.trim() === '') continue;
    const value = Number(text);
    if (!Number.isInteger(value) || value < 0 || value > 1_000_000_000) return { error: `${label} must be a whole number from 0 (no limit) to 1000000000.` };
    if (value > 0) limits[field] = value;
  }
  return { budget, limits: Object.keys(limits).length ? limits : null };
}

/** "$12.50 of $250.00 per month" style parts for the spend column. */
export function formatUsd(usd: number): string {
  if (usd !== 0 && Math.abs(usd) < 0.01) return `$${usd.toFixed(6)}`;
  return `$${usd.toFixed(2)}`;
}

export function describeLimits(limits: Limits | null): string {
  if (!limits) return 'none';
  const parts = [limits.rpm ? `${limits.rpm} req/min` : '', limits.tpm ? `${limits.tpm} tokens/min` : '', limits.concurrent ? `${limits.concurrent} at once` : ''].filter(Boolean);
  return parts.length ? parts.join(', ') : 'none';
}

/** The share of the budget spent or reserved, 0..1; undefined without a budget. */
export function budgetUsed(spend: { spentUsd: number; reservedUsd: number; budget: number | null }): number | undefined {
  if (spend.budget === null) return undefined;
  if (spend.budget <= 0) return 1;
  return Math.min(1, (spend.spentUsd + spend.reservedUsd) / spend.budget);
}
