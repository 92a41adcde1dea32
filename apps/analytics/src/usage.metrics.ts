import { Counter, Histogram, type Registry } from 'prom-client';
import type { Attempt, UsageEvent } from '@ai-gateway/proto';
import { ErrorTypeLabelGuard } from './error-type-label.guard';
import { ModelLabelGuard } from './model-label.guard';
import { ResponseModelLabelGuard } from './response-model-label.guard';
import { genAiProviderName } from '@ai-gateway/model-catalog';
import { ROUTING_STRATEGIES, type RoutingStrategy } from '@ai-gateway/routing';

// Buckets of the OTel GenAI semantic conventions (see OPERATIONS.md "Metrics").
const DURATION_BUCKETS = [0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92];
const TOKEN_BUCKETS = [1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864];
const TTFT_BUCKETS = [0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10];
const TPOT_BUCKETS = [0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.75, 1, 2.5];

const REJECTED_STATUSES = new Set([400, 401, 403, 404, 413]);

const MODEL_LABELS = ['gen_ai_operation_name', 'gen_ai_provider_name', 'gen_ai_gateway_provider_id', 'gen_ai_request_model', 'gen_ai_response_model'] as const;

type ModelLabels = Record<(typeof MODEL_LABELS)[number], string>;

/** The gateway's Prometheus series, computed from usage events. */
export class UsageMetrics {
  readonly invalidEvents: Counter;
  readonly duplicateEvents: Counter;
  private readonly models = new ModelLabelGuard();
  private readonly responseModels = new ResponseModelLabelGuard();
  private readonly errorTypes = new ErrorTypeLabelGuard();
  private readonly operationDuration: Histogram;
  private readonly tokenUsage: Histogram;
  private readonly timeToFirstToken: Histogram;
  private readonly timePerOutputToken: Histogram;
  private readonly requests: Counter;
  private readonly fallbacks: Counter;
  private readonly retries: Counter;
  private readonly cost: Counter;
  private readonly rejected: Counter;
  private readonly hedges: Counter;
  private readonly keyCooldowns: Counter;
  private readonly routingChoices: Counter;

  constructor(registry: Registry) {
    const registers = [registry];
    this.operationDuration = new Histogram({
      name: 'gen_ai_client_operation_duration_seconds',
      help: 'GenAI operation duration as the client saw it.',
      labelNames: [...MODEL_LABELS, 'error_type'],
      buckets: DURATION_BUCKETS,
      registers,
    });
    this.tokenUsage = new Histogram({
      name: 'gen_ai_client_token_usage',
      help: 'Tokens used per request, by token type (only when the provider reported counts).',
      labelNames: [...MODEL_LABELS, 'gen_ai_token_type'],
      buckets: TOKEN_BUCKETS,
      registers,
    });
    this.timeToFirstToken = new Histogram({
      name: 'gen_ai_server_time_to_first_token_seconds',
      help: 'Time to the first streamed chunk.',
      labelNames: [...MODEL_LABELS],
      buckets: TTFT_BUCKETS,
      registers,
    });
    this.timePerOutputToken = new Histogram({
      name: 'gen_ai_server_time_per_output_token_seconds',
      help: 'Time per output token after the first, for streams.',
      labelNames: [...MODEL_LABELS],
      buckets: TPOT_BUCKETS,
      registers,
    });
    this.requests = new Counter({
      name: 'gen_ai_gateway_requests_total',
      help: 'Requests by outcome (success, error, cancelled) and error type.',
      labelNames: ['gen_ai_operation_name', 'gen_ai_provider_name', 'gen_ai_gateway_provider_id', 'gen_ai_request_model', 'outcome', 'error_type'],
      registers,
    });
    this.fallbacks = new Counter({
      name: 'gen_ai_gateway_fallbacks_total',
      help: 'Requests served by a provider or model other than the first attempt’s (labels: the serving one).',
      labelNames: [...MODEL_LABELS],
      registers,
    });
    this.retries = new Counter({
      name: 'gen_ai_gateway_retries_total',
      help: 'Attempts beyond the first on the same provider and model.',
      labelNames: [...MODEL_LABELS],
      registers,
    });
    this.cost = new Counter({
      name: 'gen_ai_gateway_cost_usd_total',
      help: 'Estimated cost in USD from the model catalog prices.',
      labelNames: [...MODEL_LABELS],
      registers,
    });
    this.rejected = new Counter({
      name: 'gen_ai_gateway_rejected_total',
      help: 'Requests rejected with 400, 401, 403, 404 or 413.',
      labelNames: ['error_type'],
      registers,
    });
    this.hedges = new Counter({
      name: 'gen_ai_gateway_hedges_total',
      help: 'Legs of hedged requests by provider and model: outcome "won" (served), "lost" (cancelled, the other leg answered first) or "failed".',
      labelNames: [...MODEL_LABELS, 'outcome'],
      registers,
    });
    this.keyCooldowns = new Counter({
      name: 'gen_ai_gateway_key_cooldowns_total',
      help: 'Provider answers 429 that cooled one provider key (the router moves to the provider’s other keys meanwhile).',
      labelNames: ['gen_ai_provider_name', 'gen_ai_gateway_provider_id'],
      registers,
    });
    this.routingChoices = new Counter({
      name: 'gen_ai_gateway_routing_choices_total',
      help: 'First candidates chosen by the routing policy of the requested model (labels: the chosen provider, the requested model, the strategy).',
      labelNames: ['gen_ai_gateway_provider_id', 'gen_ai_request_model', 'gen_ai_gateway_routing_strategy'],
      registers,
    });
    this.invalidEvents = new Counter({
      name: 'gen_ai_gateway_usage_events_invalid_total',
      help: 'Usage events that could not be decoded (acknowledged and skipped).',
      registers,
    });
    this.duplicateEvents = new Counter({
      name: 'gen_ai_gateway_usage_events_duplicate_total',
      help: 'Usage events delivered again for a request already counted (acknowledged and skipped).',
      registers,
    });
  }

  record(event: UsageEvent): void {
    const routed = event.attempts.length > 0;
    const requestModel = this.models.label(event.requestedModel, routed);
    const servedBy = event.attempts.findLast((a) => a.outcome === 'success') ?? event.attempts.at(-1);
    const routedModel = this.models.label(servedBy?.model ?? '', routed);
    const base: ModelLabels = {
      gen_ai_operation_name: event.operation,
      gen_ai_provider_name: genAiProviderName(event.providerKind),
      gen_ai_gateway_provider_id: event.provider,
      gen_ai_request_model: requestModel,
      gen_ai_response_model: this.responseModels.label(event.responseModel, { provider: event.provider, requestModel, routedModel }),
    };
    const errorType = event.outcome === 'success' ? '' : this.errorTypes.label(event.errorType);
    const seconds = event.durationMs / 1000;

    this.operationDuration.observe({ ...base, error_type: errorType }, seconds);
    this.requests.inc({
      gen_ai_operation_name: base.gen_ai_operation_name,
      gen_ai_provider_name: base.gen_ai_provider_name,
      gen_ai_gateway_provider_id: base.gen_ai_gateway_provider_id,
      gen_ai_request_model: requestModel,
      outcome: event.outcome,
      error_type: errorType,
    });
    if (event.outcome === 'error' && REJECTED_STATUSES.has(event.httpStatus)) this.rejected.inc({ error_type: errorType });

    if (event.hasUsage && event.usage) {
      this.tokenUsage.observe({ ...base, gen_ai_token_type: 'input' }, event.usage.promptTokens);
      this.tokenUsage.observe({ ...base, gen_ai_token_type: 'output' }, event.usage.completionTokens);
      if (event.usage.cachedPromptTokens > 0) this.tokenUsage.observe({ ...base, gen_ai_token_type: 'cached_input' }, event.usage.cachedPromptTokens);
    }
    if (event.costUsd > 0) this.cost.inc(base, event.costUsd);

    const ttftMs = event.timeToFirstTokenMs;
    if (event.stream && ttftMs > 0) {
      this.timeToFirstToken.observe(base, ttftMs / 1000);
      const outputTokens = event.hasUsage ? (event.usage?.completionTokens ?? 0) : 0;
      if (outputTokens >= 2 && event.durationMs >= ttftMs) {
        this.timePerOutputToken.observe(base, (event.durationMs - ttftMs) / 1000 / (outputTokens - 1));
      }
    }
    this.recordAttempts(event, requestModel);
    this.recordRoutingChoice(event, requestModel);
  }

  /** One per routed request that names its strategy (older events do not); unknown strategies are not labels. */
  private recordRoutingChoice(event: UsageEvent, requestModel: string): void {
    const strategy = event.routingStrategy;
    const first = event.attempts[0];
    if (!first || !strategy || !ROUTING_STRATEGIES.includes(strategy as RoutingStrategy)) return;
    this.routingChoices.inc({ gen_ai_gateway_provider_id: first.provider, gen_ai_request_model: requestModel, gen_ai_gateway_routing_strategy: strategy });
  }

  private recordAttempts(event: UsageEvent, requestModel: string): void {
    const attempts = event.attempts;
    if (attempts.length === 0) return;
    const labelsOf = (attempt: Attempt): ModelLabels => ({
      gen_ai_operation_name: event.operation,
      gen_ai_provider_name: genAiProviderName(attempt.providerKind),
      gen_ai_gateway_provider_id: attempt.provider,
      gen_ai_request_model: requestModel,
      gen_ai_response_model: this.models.label(attempt.model, true),
    });
    const seen = new Set<string>();
    for (const attempt of attempts) {
      const key = `${attempt.provider}\u0000${attempt.model}`;
      if (seen.has(key)) this.retries.inc(labelsOf(attempt));
      seen.add(key);
    }
    for (const attempt of attempts) {
      if (attempt.outcome === 'rate_limited') this.keyCooldowns.inc({ gen_ai_provider_name: genAiProviderName(attempt.providerKind), gen_ai_gateway_provider_id: attempt.provider });
      if (!attempt.hedge) continue;
      const outcome = attempt.outcome === 'success' ? 'won' : attempt.outcome === 'hedge_lost' ? 'lost' : 'failed';
      this.hedges.inc({ ...labelsOf(attempt), outcome });
    }
    const served = attempts.findLast((a) => a.outcome === 'success');
    // A hedge that won on another provider is no fallback: the first leg that did not lose it decides.
    const first = attempts.find((a) => a.outcome !== 'hedge_lost') ?? attempts[0];
    if (event.outcome === 'success' && served && (served.provider !== first.provider || served.model !== first.model)) {
      this.fallbacks.inc(labelsOf(served));
    }
  }
}
