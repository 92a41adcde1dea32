import { retryAfterMsFromValues } from './retry-after';

export interface RetryDelayInput {
  /** 1 for the first retry on a candidate, 2 for the second, ... */
  readonly attempt: number;
  readonly baseMs: number;
  readonly maxMs: number;
  readonly retryAfterHeader?: string;
  readonly retryAfterMsHeader?: string;
  /** The longest wait a provider may ask for (RETRY_AFTER_MAX_MS). */
  readonly retryAfterMaxMs: number;
  /** Time left before the request's deadline. */
  readonly remainingBudgetMs: number;
  /** In [0, 1), as Math.random. */
  readonly random: () => number;
  /** For a `Retry-After` HTTP-date; Date.now() when absent. */
  readonly nowMs?: number;
}

/**
 * How long to wait before retrying the same candidate, or null to move on to the next
 * one. A wait the provider asked for is honoured as asked; otherwise exponential backoff
 * with full jitter: a random delay in [0, min(maxMs, baseMs · 2^(attempt−1))).
 */
export function retryDelayMs(input: RetryDelayInput): number | null {
  const asked = retryAfterMsFromValues(input.retryAfterMsHeader, input.retryAfterHeader, () => input.nowMs ?? Date.now());
  if (asked !== undefined) {
    return asked > input.retryAfterMaxMs || asked >= input.remainingBudgetMs ? null : asked;
  }
  const ceiling = Math.min(input.maxMs, input.baseMs * 2 ** Math.max(0, input.attempt - 1));
  const delay = Math.floor(unitInterval(input.random()) * ceiling);
  return delay < input.remainingBudgetMs ? delay : null;
}

function unitInterval(value: number): number {
  if (!Number.isFinite(value) || value < 0) return 0;
  return Math.min(value, 1);
}
