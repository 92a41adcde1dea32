import type { Attempt } from '@ai-gateway/proto';
import type { ProviderStats } from '@ai-gateway/routing';
import type { RouteRecord } from './route.executor';

/** Attempt outcomes that say something about the provider (attempt.trace.ts, Attempt.outcome). */
const PROVIDER_FAILURES = new Set(['error', 'rate_limited', 'timeout', 'connection_error', 'stream_cut', 'malformed']);

/**
 * Feeds a finished request's attempts to the stats, once per attempt: failures count against
 * the provider's error rate; a hedge's losing leg gives its elapsed time as a floor (it may only
 * raise the provider's estimate, ProviderStats.record); the serving attempt gives its time to first
 * token (streams) or its whole latency (unary calls). Client errors, cancels and our own services'
 * failures are left out.
 */
export function feedProviderStats(stats: ProviderStats, record: RouteRecord, stream: boolean): void {
  record.attempts.forEach((attempt: Attempt) => {
    if (attempt.outcome === 'success') {
      // A request has at most one successful attempt: the one that served.
      const timing = stream ? { ttftMs: record.timeToFirstTokenMs } : { latencyMs: attempt.latencyMs };
      stats.record({ provider: attempt.provider, model: attempt.model, outcome: 'success', ...timing });
    } else if (attempt.outcome === 'hedge_lost') {
      // Outpaced by the other leg: slower than its elapsed time (from its own start), a lower bound only.
      const timing = stream ? { ttftMs: attempt.latencyMs } : { latencyMs: attempt.latencyMs };
      stats.record({ provider: attempt.provider, model: attempt.model, outcome: 'outpaced', ...timing });
    } else if (PROVIDER_FAILURES.has(attempt.outcome)) {
      stats.record({ provider: attempt.provider, model: attempt.model, outcome: 'failure' });
    }
  });
}
