import { costUsd, findModel } from '@ai-gateway/model-catalog';
import type { RequestMeta, UsageEvent } from '@ai-gateway/proto';
import type { Operation, RouteRecord } from './route.executor';

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
): UsageEvent {
  const served = record.served;
  const last = record.attempts[record.attempts.length - 1];
  const catalogEntry = served ? findModel(served.model, served.kind) : undefined;
  const usage = record.usage;
  const cost =
    catalogEntry && usage
      ? costUsd(catalogEntry, { promptTokens: usage.promptTokens, completionTokens: usage.completionTokens, cachedPromptTokens: usage.cachedPromptTokens })
      : 0;
  return {
    requestId: meta.requestId,
    correlationId: meta.correlationId,
    apiKeyId: meta.apiKeyId,
    operation,
    requestedModel: meta.model,
    provider: served?.providerId ?? last?.provider ?? '',
    providerKind: served?.kind ?? last?.providerKind ?? '',
    responseModel: record.responseModel ?? served?.model ?? '',
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
    ...(record.routing ? { routingStrategy: record.routing.strategy, routingReason: record.routing.reason } : {}),
  };
}
