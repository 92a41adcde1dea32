import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { metricFamiliesReferenced } from '@ai-gateway/testing';
import { attempt, usageEvent } from './usage-event.fixture';
import { UsageMetrics } from './usage.metrics';
import { MAX_PROVIDER_ERROR_TYPES } from './error-type-label.guard';
import { MAX_RESPONSE_MODELS_PER_REQUEST } from './response-model-label.guard';

const repo = join(__dirname, '..', '..', '..');

describe('UsageMetrics', () => {
  let registry: Registry;
  let metrics: UsageMetrics;

  beforeEach(() => {
    registry = new Registry();
    metrics = new UsageMetrics(registry);
  });

  const text = (name: string): Promise<string> => registry.getSingleMetricAsString(name);
  const labelValues = async (name: string, label: string): Promise<Set<string>> =>
    new Set((await registry.getSingleMetric(name)?.get())?.values.map((v) => String(v.labels[label])));
  const valueOf = async (name: string, labels: Record<string, string>): Promise<number | undefined> => {
    const metric = await registry.getSingleMetric(name)?.get();
    const match = metric?.values.find((v) => Object.entries(labels).every(([k, val]) => v.labels[k] === val));
    return match?.value;
  };

  it('records duration, requests, tokens and cost with OTel labels and the configured provider id', async () => {
    metrics.record(usageEvent({ provider: 'openai-eu', costUsd: 0.25 }));
    metrics.record(usageEvent({ provider: 'openai-eu', durationMs: 3_000, usage: { promptTokens: 100, completionTokens: 50, totalTokens: 150, cachedPromptTokens: 64, reasoningTokens: 0 }, costUsd: 0.5 }));
    const labels =
      'gen_ai_operation_name="chat",gen_ai_provider_name="openai",gen_ai_gateway_provider_id="openai-eu",gen_ai_request_model="gpt-4o",gen_ai_response_model="gpt-4o-2024-08-06"';
    const duration = await text('gen_ai_client_operation_duration_seconds');
    expect(duration).toContain(`gen_ai_client_operation_duration_seconds_bucket{le="0.64",${labels},error_type=""} 1`);
    expect(duration).toContain(`gen_ai_client_operation_duration_seconds_bucket{le="5.12",${labels},error_type=""} 2`);
    expect(duration).toContain(`gen_ai_client_operation_duration_seconds_sum{${labels},error_type=""} 3.5`);
    const tokens = await text('gen_ai_client_token_usage');
    expect(tokens).toContain(`gen_ai_client_token_usage_sum{${labels},gen_ai_token_type="input"} 110`);
    expect(tokens).toContain(`gen_ai_client_token_usage_sum{${labels},gen_ai_token_type="output"} 55`);
    expect(tokens).toContain(`gen_ai_client_token_usage_count{${labels},gen_ai_token_type="cached_input"} 1`);
    expect(await text('gen_ai_gateway_cost_usd_total')).toContain(`gen_ai_gateway_cost_usd_total{${labels}} 0.75`);
    expect(await valueOf('gen_ai_gateway_requests_total', { outcome: 'success', error_type: '', gen_ai_gateway_provider_id: 'openai-eu' })).toBe(2);
  });

  it.each([
    ['bedrock', 'aws.bedrock'],
    ['azure-openai', 'azure.ai.openai'],
    ['gemini', 'gcp.gemini'],
    ['anthropic', 'anthropic'],
    ['Weird Kind!', '_OTHER'],
  ])('maps provider kind %s to gen_ai_provider_name %s', async (kind, name) => {
    metrics.record(usageEvent({ providerKind: kind }));
    expect(await valueOf('gen_ai_gateway_requests_total', { gen_ai_provider_name: name })).toBe(1);
  });

  it('records no token usage when the provider gave no counts, and errors with their type', async () => {
    metrics.record(usageEvent({ outcome: 'error', httpStatus: 502, errorType: 'server_error', hasUsage: false, usage: undefined, costUsd: 0 }));
    metrics.record(usageEvent({ outcome: 'error', httpStatus: 500, errorType: '', hasUsage: false, usage: undefined, costUsd: 0 }));
    expect(await text('gen_ai_client_token_usage')).not.toContain('gen_ai_client_token_usage_count');
    expect(await valueOf('gen_ai_client_operation_duration_seconds', { error_type: 'server_error' })).toBeDefined();
    expect(await valueOf('gen_ai_gateway_requests_total', { outcome: 'error', error_type: 'server_error' })).toBe(1);
    expect(await valueOf('gen_ai_gateway_requests_total', { outcome: 'error', error_type: '_OTHER' })).toBe(1);
    expect(await text('gen_ai_gateway_rejected_total')).not.toContain('gen_ai_gateway_rejected_total{');
  });

  it('counts rejected requests by error type, without letting unrouted model names into labels', async () => {
    metrics.record(usageEvent({ outcome: 'error', httpStatus: 401, errorType: 'invalid_api_key', attempts: [], provider: '', providerKind: '', responseModel: '' }));
    metrics.record(usageEvent({ outcome: 'error', httpStatus: 404, errorType: 'model_not_found', requestedModel: 'made-up-123', attempts: [], provider: '', providerKind: '', responseModel: '' }));
    metrics.record(usageEvent({ outcome: 'error', httpStatus: 429, errorType: 'rate_limit_exceeded' }));
    expect(await valueOf('gen_ai_gateway_rejected_total', { error_type: 'invalid_api_key' })).toBe(1);
    expect(await valueOf('gen_ai_gateway_rejected_total', { error_type: 'model_not_found' })).toBe(1);
    expect(await valueOf('gen_ai_gateway_rejected_total', { error_type: 'rate_limit_exceeded' })).toBeUndefined();
    const requests = await text('gen_ai_gateway_requests_total');
    expect(requests).not.toContain('made-up-123');
    expect(requests).toContain('gen_ai_request_model="_OTHER"');
  });

  it('bounds error_type in every family labelled with it: the gateway\'s own types always, a provider\'s first codes, then _OTHER', async () => {
    // A provider answering 400 with a new error.code each time (router.hot-path.ts puts the code in errorType).
    for (let i = 0; i < 500; i++) {
      metrics.record(usageEvent({ outcome: 'error', httpStatus: 400, errorType: `code_${i}`, attempts: [attempt({ outcome: 'client_error', status: 400 })] }));
    }
    metrics.record(usageEvent({ outcome: 'error', httpStatus: 400, errorType: 'context_length_exceeded', attempts: [attempt({ outcome: 'client_error', status: 400 })] }));
    metrics.record(usageEvent({ outcome: 'error', httpStatus: 200, errorType: 'stream_interrupted' }));
    metrics.record(usageEvent({ outcome: 'error', httpStatus: 404, errorType: 'model_not_found', attempts: [], provider: '', providerKind: '', responseModel: '' }));
    const providerCodes = Array.from({ length: MAX_PROVIDER_ERROR_TYPES }, (_, i) => `code_${i}`);
    const expected = new Set([...providerCodes, '_OTHER', 'context_length_exceeded', 'stream_interrupted', 'model_not_found']);
    expect(await labelValues('gen_ai_gateway_requests_total', 'error_type')).toEqual(expected);
    expect(await labelValues('gen_ai_client_operation_duration_seconds', 'error_type')).toEqual(expected);
    expect(await labelValues('gen_ai_gateway_rejected_total', 'error_type')).toEqual(new Set([...providerCodes, '_OTHER', 'context_length_exceeded', 'model_not_found']));
    expect(await valueOf('gen_ai_gateway_rejected_total', { error_type: '_OTHER' })).toBe(500 - MAX_PROVIDER_ERROR_TYPES);
  });

  it('bounds response models apart from request models: junk response names never push a new request model into _OTHER', async () => {
    for (let i = 0; i < 1_000; i++) metrics.record(usageEvent({ requestedModel: 'gpt-4o', responseModel: `junk-${i}` }));
    metrics.record(usageEvent({ requestedModel: 'claude-new', responseModel: 'claude-new', attempts: [attempt({ model: 'claude-new' })] }));
    metrics.record(usageEvent({ requestedModel: 'gpt-4o', responseModel: 'gpt-4o' }));
    const requestModels = await labelValues('gen_ai_gateway_requests_total', 'gen_ai_request_model');
    expect(requestModels).toEqual(new Set(['gpt-4o', 'claude-new']));
    const responseModels = await labelValues('gen_ai_client_operation_duration_seconds', 'gen_ai_response_model');
    const junkKept = Array.from({ length: MAX_RESPONSE_MODELS_PER_REQUEST }, (_, i) => `junk-${i}`);
    expect(responseModels).toEqual(new Set([...junkKept, '_OTHER', 'claude-new', 'gpt-4o']));
  });

  it('counts each hedged leg as won, lost or failed by its provider, and a hedge won elsewhere is no fallback', async () => {
    metrics.record(
      usageEvent({
        hedged: true,
        provider: 'backup',
        attempts: [
          attempt({ provider: 'openai', outcome: 'hedge_lost', status: 0, hedge: true }),
          attempt({ provider: 'backup', outcome: 'success', hedge: true }),
        ],
      }),
    );
    metrics.record(
      usageEvent({
        hedged: true,
        attempts: [attempt({ provider: 'backup', outcome: 'error', status: 503, hedge: true }), attempt({ provider: 'openai', outcome: 'success', hedge: true })],
      }),
    );
    metrics.record(usageEvent());
    expect(await valueOf('gen_ai_gateway_hedges_total', { gen_ai_gateway_provider_id: 'openai', outcome: 'lost' })).toBe(1);
    expect(await valueOf('gen_ai_gateway_hedges_total', { gen_ai_gateway_provider_id: 'openai', outcome: 'won' })).toBe(1);
    expect(await valueOf('gen_ai_gateway_hedges_total', { gen_ai_gateway_provider_id: 'backup', outcome: 'won' })).toBe(1);
    expect(await valueOf('gen_ai_gateway_hedges_total', { gen_ai_gateway_provider_id: 'backup', outcome: 'failed' })).toBe(1);
    expect(await valueOf('gen_ai_gateway_fallbacks_total', { gen_ai_gateway_provider_id: 'backup' })).toBeUndefined();
  });

  it('counts each 429 as a key cooldown of its provider', async () => {
    metrics.record(usageEvent({ attempts: [attempt({ outcome: 'rate_limited', status: 429 }), attempt({ outcome: 'rate_limited', status: 429 }), attempt()] }));
    metrics.record(usageEvent());
    expect(await valueOf('gen_ai_gateway_key_cooldowns_total', { gen_ai_gateway_provider_id: 'openai' })).toBe(2);
  });

  it('records TTFT and time per output token for streams', async () => {
    metrics.record(usageEvent({ stream: true, timeToFirstTokenMs: 200, durationMs: 1_200, usage: { promptTokens: 10, completionTokens: 11, totalTokens: 21, cachedPromptTokens: 0, reasoningTokens: 0 } }));
    metrics.record(usageEvent({ stream: true, timeToFirstTokenMs: 300, durationMs: 400, usage: { promptTokens: 10, completionTokens: 1, totalTokens: 11, cachedPromptTokens: 0, reasoningTokens: 0 } }));
    metrics.record(usageEvent({ stream: false, timeToFirstTokenMs: 0 }));
    const ttft = await text('gen_ai_server_time_to_first_token_seconds');
    expect(ttft).toMatch(/gen_ai_server_time_to_first_token_seconds_bucket\{le="0\.25",[^}]*\} 1$/m);
    expect(ttft).toMatch(/gen_ai_server_time_to_first_token_seconds_count\{[^}]*\} 2/);
    const tpot = await text('gen_ai_server_time_per_output_token_seconds');
    expect(tpot).toMatch(/gen_ai_server_time_per_output_token_seconds_sum\{[^}]*\} 0\.1$/m);
    expect(tpot).toMatch(/gen_ai_server_time_per_output_token_seconds_count\{[^}]*\} 1$/m);
  });

  it('counts retries on the same provider and model, and a fallback to another one', async () => {
    metrics.record(
      usageEvent({
        provider: 'anthropic',
        providerKind: 'anthropic',
        responseModel: 'claude-3-5-sonnet',
        attempts: [
          attempt({ outcome: 'error', status: 503 }),
          attempt({ outcome: 'timeout', status: 0 }),
          attempt({ provider: 'anthropic', providerKind: 'anthropic', model: 'claude-3-5-sonnet' }),
        ],
      }),
    );
    metrics.record(usageEvent({ attempts: [attempt({ outcome: 'error', status: 500 }), attempt()] }));
    expect(await valueOf('gen_ai_gateway_retries_total', { gen_ai_provider_name: 'openai', gen_ai_request_model: 'gpt-4o', gen_ai_response_model: 'gpt-4o' })).toBe(2);
    expect(await valueOf('gen_ai_gateway_fallbacks_total', { gen_ai_provider_name: 'anthropic', gen_ai_request_model: 'gpt-4o', gen_ai_response_model: 'claude-3-5-sonnet' })).toBe(1);
    expect(await text('gen_ai_gateway_fallbacks_total')).not.toContain('gen_ai_provider_name="openai"');
  });

  it('counts routing choices by chosen provider, requested model and strategy; events without a strategy and unknown strategies are not counted', async () => {
    metrics.record(usageEvent({ routingStrategy: 'latency', routingReason: 'latency: chose openai (ewma 120 ms vs azure 480 ms)', attempts: [attempt()] }));
    metrics.record(usageEvent({ routingStrategy: 'latency', attempts: [attempt({ provider: 'azure', outcome: 'error', status: 500 }), attempt()] }));
    metrics.record(usageEvent({ attempts: [attempt()] }));
    metrics.record(usageEvent({ routingStrategy: 'made-up-strategy', attempts: [attempt()] }));
    expect(await valueOf('gen_ai_gateway_routing_choices_total', { gen_ai_gateway_provider_id: 'openai', gen_ai_request_model: 'gpt-4o', gen_ai_gateway_routing_strategy: 'latency' })).toBe(1);
    expect(await valueOf('gen_ai_gateway_routing_choices_total', { gen_ai_gateway_provider_id: 'azure', gen_ai_request_model: 'gpt-4o', gen_ai_gateway_routing_strategy: 'latency' })).toBe(1);
    const series = await text('gen_ai_gateway_routing_choices_total');
    expect(series).not.toContain('made-up-strategy');
    expect(series).not.toContain('ewma');
  });

  it('never labels with request or API key ids', async () => {
    metrics.record(usageEvent({ requestId: 'req-secret-id', apiKeyId: 'key-secret-id' }));
    const all = await registry.metrics();
    expect(all).not.toContain('req-secret-id');
    expect(all).not.toContain('key-secret-id');
  });

  it('exposes every analytics family the shipped dashboard and alerts query', async () => {
    const referenced = metricFamiliesReferenced(
      readFileSync(join(repo, 'helm/ai-gateway/dashboards/ai-gateway.json'), 'utf8'),
      readFileSync(join(repo, 'helm/ai-gateway/alerts/ai-gateway-rules.yaml'), 'utf8'),
    );
    // Exported by the router, and by ingress (team spend, from the shared limits state).
    const otherServicesFamilies = [
      'gen_ai_gateway_usage_events_dropped_total',
      'gen_ai_gateway_circuit_breaker_state',
      'gen_ai_gateway_team_spend_usd',
      'gen_ai_gateway_team_budget_usd',
    ];
    const exposed = (await registry.getMetricsAsJSON()).map((m) => m.name);
    expect(referenced.filter((name) => !otherServicesFamilies.includes(name) && !exposed.includes(name))).toEqual([]);
  });
});
