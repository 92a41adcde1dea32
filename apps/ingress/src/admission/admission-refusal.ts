import { httpError, type HttpError } from '../openai-http-error';
import type { Refusal } from './limit-state';
import type { Holder } from './request-admission';

/** How long a client refused for concurrency waits before trying again: a slot frees when any request ends. */
const CONCURRENCY_RETRY_AFTER_S = 1;

/**
 * The client's answer to a refused admission (CONTRACT.md): a gateway limit is 429 with the
 * limit's x-ratelimit-* headers and Retry-After; an exhausted budget is 429 `budget_exceeded`
 * naming the budget, with `x-should-retry: false` (OpenAI's SDKs retry a 429 otherwise).
 */
export function refusalAnswer(refusal: Refusal, holder: Holder, nowMs: number): HttpError {
  const who = `${holder.kind === 'team' ? 'team' : 'API key'} "${holder.name}" (${holder.id})`;
  const resetS = refusal.resetsAtMs === undefined ? undefined : Math.max(1, Math.ceil((refusal.resetsAtMs - nowMs) / 1000));
  if (refusal.limit === 'budget') {
    const resets = refusal.resetsAtMs === undefined ? 'it does not reset (a total budget)' : `it resets at ${new Date(refusal.resetsAtMs).toISOString()}`;
    const answer = httpError(
      429,
      `The budget of the ${who} is exhausted: $${formatUsd(refusal.max)}, $${formatUsd(refusal.remaining)} left, less than this request may cost; ${resets}.`,
      'budget_exceeded',
      null,
      'insufficient_quota',
    );
    answer.headers['x-should-retry'] = 'false';
    return answer;
  }
  if (refusal.limit === 'concurrent') {
    const answer = httpError(429, `The ${who} has ${refusal.max} requests in flight, its limit of concurrent requests.`, 'concurrency_limit_exceeded', null, 'requests');
    answer.headers['retry-after'] = String(CONCURRENCY_RETRY_AFTER_S);
    return answer;
  }
  const unit = refusal.limit;
  const answer = httpError(
    429,
    `Rate limit reached for the ${who}: ${refusal.max} ${unit} per minute, ${refusal.remaining} left in this minute. Retry in ${resetS ?? 1}s.`,
    'rate_limit_exceeded',
    null,
    unit,
  );
  answer.headers[`x-ratelimit-limit-${unit}`] = String(refusal.max);
  answer.headers[`x-ratelimit-remaining-${unit}`] = String(refusal.remaining);
  answer.headers[`x-ratelimit-reset-${unit}`] = `${resetS ?? 1}s`;
  answer.headers['retry-after'] = String(resetS ?? 1);
  return answer;
}

export function limitsUnavailableAnswer(): HttpError {
  const answer = httpError(503, "The gateway could not check this key's budget and limits; try again.", 'limits_unavailable');
  answer.headers['retry-after'] = '1';
  return answer;
}

function formatUsd(usd: number): string {
  return usd.toFixed(usd >= 1 ? 2 : 6);
}
