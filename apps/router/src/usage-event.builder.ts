import { costUsd, type ProviderModelCatalog } from '@ai-gateway/model-catalog';
import type { Attempt, RequestMeta, UsageEvent } from '@ai-gateway/proto';
import type { Operation, RouteRecord } from './route.executor';
import { reportedModel } from './reported-model';

export interface RequestOutcome {
  httpStatus: number;
  errorType: string;
  cancelled: boolean;
  /** The request failed, whatever status the client saw (a stream cut after content: 200). */
  failed?: boolean;
}

/** The one UsageEvent of a request: who, which model and provider, tokens, cost, attempts. Never content or keys. */
export function buildUsageEvent(
  operation: Operation,
  meta: RequestMeta,
  record: RouteRecord,
  outcome: RequestOutcome,
  startedAt: number,
  durationMs: number,
  /** The catalog of the config the request was routed with: prices with the operator's overrides. */
  catalog: Pick<ProviderModelCatalog, 'pricedEntry'>,
): UsageEvent {
  const served = record.served;
  const last = record.attempts[record.attempts.length - 1];
  const catalogEntry = served ? catalog.pricedEntry(served.model, served.kind) : undefined;
  const usage = record.usage;
  const cost =
    (catalogEntry && usage
      ? costUsd(catalogEntry, { promptTokens: usage.promptTokens, completionTokens: usage.completionTokens, cachedPromptTokens: usage.cachedPromptTokens })
      : 0) + unservedAttemptsCost(record.attempts, catalog);
  return {
    requestId: meta.requestId,
    correlationId: meta.correlationId,
    apiKeyId: meta.apiKeyId,
    operation,
    requestedModel: meta.model,
    provider: served?.providerId ?? last?.provider ?? '',
    providerKind: served?.kind ?? last?.providerKind ?? '',
    responseModel: reportedModel(record.responseModel, served?.model ?? ''),
    stream: meta.stream,
    outcome: outcome.cancelled ? 'cancelled' : outcome.failed || outcome.httpStatus >= 400 ? 'error' : 'success',
    httpStatus: outcome.httpStatus,
    errorType: outcome.errorType,
    usage,
    hasUsage: usage !== undefined,
    costUsd: cost,
    startedAtUnixMs: startedAt,
    durationMs,
    timeToFirstTokenMs: record.timeToFirstTokenMs ?? 0,
    attempts: record.attempts,
    ...(record.usageEstimated ? { usageEstimated: true } : {}),
    ...(record.hedged ? { hedged: true } : {}),
    ...(record.routing ? { routingStrategy: record.routing.strategy, routingReason: record.routing.reason } : {}),
    ...(meta.reserved ? { reserved: true } : {}),
    ...(meta.teamId ? { teamId: meta.teamId } : {}),
  };
}

/** What attempts that did not serve were billed for, when their provider reported tokens (a hedge's loser, rarely). */
function unservedAttemptsCost(attempts: readonly Attempt[], catalog: Pick<ProviderModelCatalog, 'pricedEntry'>): number {
  let total = 0;
  for (const attempt of attempts) {
    if (!attempt.usage || attempt.outcome === 'success') continue;
    const entry = catalog.pricedEntry(attempt.model, attempt.providerKind);
    if (entry) total += costUsd(entry, { promptTokens: attempt.usage.promptTokens, completionTokens: attempt.usage.completionTokens, cachedPromptTokens: attempt.usage.cachedPromptTokens });
  }
  return total;
}
