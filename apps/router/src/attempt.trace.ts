import { genAiProviderName } from '@ai-gateway/model-catalog';
import type { Attempt, Fault, RequestMeta } from '@ai-gateway/proto';
import type { RouteCandidate } from '@ai-gateway/routing';
import { endSpan, SpanKind, startSpan, type Context, type Span } from '@ai-gateway/telemetry';

export interface AttemptTrace {
  started: number;
  /** The attempt's trace context: handed to an embedded adapter as is, turned into gRPC metadata only for an adapter service. */
  context: Context;
  span: Span;
}

/** One attempt's span, child of the router's request span; its context travels to the adapter. */
export function traceAttempt(parent: Context, candidate: RouteCandidate, meta: RequestMeta): AttemptTrace {
  const { span, ctx } = startSpan(`attempt ${candidate.providerId}`, parent, SpanKind.CLIENT, {
    'gen_ai.provider.name': genAiProviderName(candidate.kind),
    'gen_ai.request.model': candidate.model,
    'gateway.provider.id': candidate.providerId,
    'gateway.via_fallback': candidate.viaFallback,
    'gateway.request.id': meta.requestId,
  });
  return { started: performance.now(), context: ctx, span };
}

/** The attempt as the usage event records it; ends its span. */
export function attemptOf(candidate: RouteCandidate, outcome: string, status: number, trace: AttemptTrace, fault?: Fault, detail?: string): Attempt {
  trace.span.setAttribute('http.response.status_code', status);
  endSpan(trace.span, outcome === 'success' ? undefined : outcome);
  const attempt: Attempt = { provider: candidate.providerId, providerKind: candidate.kind, model: candidate.model, outcome, status, latencyMs: performance.now() - trace.started };
  if (fault !== undefined) attempt.fault = fault;
  if (detail) attempt.detail = detail.slice(0, ATTEMPT_DETAIL_LIMIT);
  return attempt;
}

/** An attempt's detail is a few words; provider error text beyond this stays out of the event. */
const ATTEMPT_DETAIL_LIMIT = 200;
