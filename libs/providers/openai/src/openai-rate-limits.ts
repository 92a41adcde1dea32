/** The rate-limit headers of an OpenAI-compatible answer, as they are. */
export function openAiRateLimitHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    if (name.startsWith('x-ratelimit-') || name === 'retry-after' || name === 'retry-after-ms') {
      out[name] = Array.isArray(value) ? value.join(', ') : value;
    }
  }
  return out;
}
