import type { Budget, Limits } from '@ai-gateway/proto';

export const BUDGET_PERIODS = ['day', 'week', 'month', 'total'] as const;

/** Largest budget accepted: far above any real one, small enough that sums of costs stay exact to the cent. */
const MAX_BUDGET_USD = 1_000_000_000;
/** Largest rpm/tpm/concurrent value: beyond it a limit is no limit. */
const MAX_LIMIT = 1_000_000_000;
const MAX_ALLOWED_MODELS = 1_000;

/** Why a budget is invalid, or undefined. */
export function budgetProblem(budget: Budget | undefined): string | undefined {
  if (!budget) return undefined;
  if (!Number.isFinite(budget.amountUsd) || budget.amountUsd < 0 || budget.amountUsd > MAX_BUDGET_USD) {
    return `budget.amountUsd must be a number from 0 to ${MAX_BUDGET_USD}`;
  }
  if (!(BUDGET_PERIODS as readonly string[]).includes(budget.period)) return `budget.period must be one of ${BUDGET_PERIODS.join(', ')}`;
  return undefined;
}

/** Why limits are invalid, or undefined (0 is no limit). */
export function limitsProblem(limits: Limits | undefined): string | undefined {
  if (!limits) return undefined;
  for (const field of ['rpm', 'tpm', 'concurrent'] as const) {
    const value = limits[field];
    if (!Number.isInteger(value) || value < 0 || value > MAX_LIMIT) return `limits.${field} must be a whole number from 0 (no limit) to ${MAX_LIMIT}`;
  }
  return undefined;
}

export function allowedModelsProblem(models: string[]): string | undefined {
  if (models.length > MAX_ALLOWED_MODELS) return `allowedModels lists at most ${MAX_ALLOWED_MODELS} models`;
  if (models.some((m) => typeof m !== 'string' || m.length === 0 || m.length > 200)) return 'allowedModels must be model names (1-200 characters)';
  return undefined;
}

/** Why an expiry is invalid, or undefined; empty is never. */
export function expiryProblem(expiresAt: string, now = Date.now()): string | undefined {
  if (expiresAt === '') return undefined;
  const at = Date.parse(expiresAt);
  if (!/^\d{4}-\d{2}-\d{2}T/.test(expiresAt) || !Number.isFinite(at)) return 'expiresAt must be an RFC 3339 date-time (e.g. 2026-12-31T23:59:59Z)';
  if (at <= now) return 'expiresAt must be in the future';
  return undefined;
}
