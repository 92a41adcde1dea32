import type { Budget, Limits } from '@ai-gateway/proto';

/** A budget, limits or expiry field of an admin body that is not what the admin API takes (400). */
export class PolicyFieldError extends Error {
  constructor(
    message: string,
    readonly param: string,
  ) {
    super(message);
  }
}

type Body = Record<string, unknown>;

const PERIODS = ['day', 'week', 'month', 'total'];
/** int32 on the wire: anything above is refused rather than wrapped. */
const MAX_LIMIT = 1_000_000_000;

/** `budget: {amountUsd, period}`; absent or null: none. */
export function budgetField(body: Body): Budget | undefined {
  const value = body.budget;
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'object' || Array.isArray(value)) throw new PolicyFieldError('"budget" must be {"amountUsd": number, "period": "day"|"week"|"month"|"total"}', 'budget');
  const { amountUsd, period } = value as Body;
  if (typeof amountUsd !== 'number' || !Number.isFinite(amountUsd) || amountUsd < 0) throw new PolicyFieldError('"budget.amountUsd" must be a number of US dollars, 0 or more', 'budget.amountUsd');
  if (typeof period !== 'string' || !PERIODS.includes(period)) throw new PolicyFieldError(`"budget.period" must be one of ${PERIODS.join(', ')}`, 'budget.period');
  return { amountUsd, period };
}

/** `limits: {rpm?, tpm?, concurrent?}`; absent or null: none; a missing or 0 field is no limit. */
export function limitsField(body: Body): Limits | undefined {
  const value = body.limits;
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'object' || Array.isArray(value)) throw new PolicyFieldError('"limits" must be {"rpm"?, "tpm"?, "concurrent"?}', 'limits');
  const limits: Limits = { rpm: 0, tpm: 0, concurrent: 0 };
  for (const field of ['rpm', 'tpm', 'concurrent'] as const) {
    const limit = (value as Body)[field];
    if (limit === undefined || limit === null) continue;
    if (typeof limit !== 'number' || !Number.isInteger(limit) || limit < 0 || limit > MAX_LIMIT) {
      throw new PolicyFieldError(`"limits.${field}" must be a whole number from 0 (no limit) to ${MAX_LIMIT}`, `limits.${field}`);
    }
    limits[field] = limit;
  }
  return limits;
}

/** The admin API's view of limits: only the ones set. */
export function limitsView(limits: Limits | undefined): Partial<Limits> | null {
  if (!limits) return null;
  const view: Partial<Limits> = {};
  for (const field of ['rpm', 'tpm', 'concurrent'] as const) if (limits[field] > 0) view[field] = limits[field];
  return Object.keys(view).length ? view : null;
}
