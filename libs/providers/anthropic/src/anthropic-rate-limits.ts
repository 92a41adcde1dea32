const ANTHROPIC_PREFIX = 'anthropic-ratelimit-';

// Anthropic's bucket → OpenAI's suffix; input-/output-tokens buckets have no OpenAI name.
const OPENAI_BUCKETS: Readonly<Record<string, string>> = { requests: 'requests', tokens: 'tokens' };
const FIELDS = ['limit', 'remaining', 'reset'] as const;

/**
 * Anthropic's rate-limit headers as the client should see them: every `anthropic-ratelimit-*`
 * and `retry-after` as they are, plus OpenAI's `x-ratelimit-{limit,remaining,reset}-{requests,tokens}`.
 * Anthropic's resets are RFC 3339 times; OpenAI's are durations (`6m0s`), counted from `nowMs`.
 */
export function anthropicRateLimitHeaders(
  headers: Record<string, string>,
  nowMs: number = Date.now(),
): Record<string, string> {
  const lower = Object.fromEntries(Object.entries(headers).map(([name, value]) => [name.toLowerCase(), value]));
  const result: Record<string, string> = {};
  for (const [name, value] of Object.entries(lower)) {
    if (name.startsWith(ANTHROPIC_PREFIX) || name === 'retry-after') result[name] = value;
  }
  for (const [bucket, suffix] of Object.entries(OPENAI_BUCKETS)) {
    for (const field of FIELDS) {
      const value = lower[`${ANTHROPIC_PREFIX}${bucket}-${field}`];
      if (value === undefined) continue;
      const mapped = field === 'reset' ? resetDuration(value, nowMs) : value;
      if (mapped !== undefined) result[`x-ratelimit-${field}-${suffix}`] = mapped;
    }
  }
  return result;
}

function resetDuration(rfc3339: string, nowMs: number): string | undefined {
  const resetMs = Date.parse(rfc3339);
  if (Number.isNaN(resetMs)) return undefined;
  return formatDuration(Math.max(0, resetMs - nowMs));
}

/** A duration the way OpenAI (Go's time.Duration) prints it at millisecond precision: `12ms`, `1.5s`, `6m0s`, `1h0m0s`. */
export function formatDuration(totalMs: number): string {
  const ms = Math.round(totalMs);
  if (ms === 0) return '0s';
  if (ms < 1000) return `${ms}ms`;
  const hours = Math.floor(ms / 3_600_000);
  const minutes = Math.floor((ms % 3_600_000) / 60_000);
  const secondsMs = ms % 60_000;
  const seconds = `${Math.floor(secondsMs / 1000)}${fraction(secondsMs % 1000)}s`;
  if (hours > 0) return `${hours}h${minutes}m${seconds}`;
  if (minutes > 0) return `${minutes}m${seconds}`;
  return seconds;
}

function fraction(ms: number): string {
  return ms === 0 ? '' : `.${String(ms).padStart(3, '0').replace(/0+$/, '')}`;
}
