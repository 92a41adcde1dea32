/** Fetch `Headers`, or a plain header record (Node, gRPC metadata) with any key case. */
export type HeaderSource =
  | { get(name: string): string | null | undefined }
  | Readonly<Record<string, string | readonly string[] | undefined>>;

const DECIMAL_NUMBER = /^\d+(\.\d+)?$/;
/** All three HTTP-date forms (RFC 9110 §5.6.7) start with a day name. */
const HTTP_DATE_START = /^[A-Za-z]{3}/;

/**
 * The longest wait taken from a provider: past it a value is read as this. A value of 1e20 s
 * would otherwise overflow the int64 the wait travels in between services, and turn the
 * provider's 429 into a failure of the gateway's own.
 */
export const MAX_RETRY_AFTER_MS = 24 * 60 * 60 * 1000;

/**
 * The wait a provider asked for, in ms (at most MAX_RETRY_AFTER_MS): `retry-after-ms` first
 * (OpenAI), then `Retry-After` as seconds or an HTTP-date. Undefined when neither is usable.
 */
export function parseRetryAfterMs(headers: HeaderSource, nowMs: number): number | undefined {
  return retryAfterMsFromValues(headerValue(headers, 'retry-after-ms'), headerValue(headers, 'retry-after'), () => nowMs);
}

export function retryAfterMsFromValues(
  retryAfterMs: string | undefined,
  retryAfter: string | undefined,
  now: () => number,
): number | undefined {
  const wait = uncappedRetryAfterMs(retryAfterMs, retryAfter, now);
  return wait === undefined ? undefined : Math.min(wait, MAX_RETRY_AFTER_MS);
}

function uncappedRetryAfterMs(retryAfterMs: string | undefined, retryAfter: string | undefined, now: () => number): number | undefined {
  const milliseconds = retryAfterMs?.trim();
  if (milliseconds && DECIMAL_NUMBER.test(milliseconds)) return Math.ceil(Number(milliseconds));
  const value = retryAfter?.trim();
  if (!value) return undefined;
  if (DECIMAL_NUMBER.test(value)) return Math.ceil(Number(value) * 1000);
  const date = HTTP_DATE_START.test(value) ? Date.parse(value) : Number.NaN;
  return Number.isNaN(date) ? undefined : Math.max(0, date - now());
}

function headerValue(headers: HeaderSource, name: string): string | undefined {
  if (isFetchHeaders(headers)) return headers.get(name) ?? undefined;
  const key = Object.keys(headers).find((candidate) => candidate.toLowerCase() === name);
  const value = key === undefined ? undefined : headers[key];
  return typeof value === 'string' ? value : value?.[0];
}

function isFetchHeaders(headers: HeaderSource): headers is { get(name: string): string | null | undefined } {
  return typeof headers.get === 'function';
}
