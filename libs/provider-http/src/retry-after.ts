import { parseRetryAfterMs } from '@ai-gateway/routing';

/** The wait a provider's error answer asks for, in ms (`retry-after-ms`, then `Retry-After`); 0 when none. */
export function providerRetryAfterMs(headers: Record<string, string>, nowMs: number = Date.now()): number {
  return parseRetryAfterMs(headers, nowMs) ?? 0;
}
