import { ProviderModelCatalog } from '@ai-gateway/model-catalog';
import type { Provider, RequestMeta } from '@ai-gateway/proto';
import { buildRoutePlan, CircuitBreaker, circuitKey, ProviderStats, type RoutingPolicies } from '@ai-gateway/routing';
import type { ConfigSnapshotWatcher } from './config-snapshot.watcher';
import { feedProviderStats } from './provider-stats.feed';
import { RoutePolicyOrderer } from './route-policy.orderer';

const PROVIDERS: Provider[] = [
  { id: 'openai', kind: 'openai', baseUrl: 'https://api.openai.com/v1', enabled: true, priority: 0, models: [] },
  { id: 'anthropic', kind: 'anthropic', baseUrl: 'https://api.anthropic.com', enabled: true, priority: 1, models: [] },
  { id: 'mini', kind: 'openai', baseUrl: 'https://api.openai.com/v1', enabled: true, priority: 2, models: [] },
];
const META = { requestId: 'r1', model: 'gpt-4o', stream: false } as RequestMeta;

function orderer(policies: RoutingPolicies, breaker = new CircuitBreaker({ consecutiveFailures: 1, cooldownMs: 60_000 }), stats = new ProviderStats()) {
  const catalog = ProviderModelCatalog.fromSnapshot({ providers: PROVIDERS });
  const config = { current: () => ({ catalog, policies }) } as unknown as ConfigSnapshotWatcher;
  return { orderer: new RoutePolicyOrderer(config, stats, breaker, () => 0.5), catalog, breaker, stats };
}

function plan(catalog: ProviderModelCatalog, model: string, fallbacks: Record<string, string[]> = {}) {
  return buildRoutePlan({ requestedModel: model, providers: PROVIDERS, providersWithKeys: new Set(PROVIDERS.map((p) => p.id)), fallbacks, catalog }).candidates;
}

describe('RoutePolicyOrderer', () => {
  it("prices each candidate by the catalog's price of its model for the request's expected tokens; ties by priority", () => {
    const { orderer: ordering, catalog } = orderer({ default: { strategy: 'priority' }, models: { 'gpt-4o': { strategy: 'cost' } } });
    const body = Buffer.from('{"max_tokens": 10}');
    const price = catalog.findModel('gpt-4o', 'openai')?.price;
    if (!price) throw new Error('gpt-4o has no catalog price');
    const usd = ((Math.ceil(body.byteLength / 4) * price.inputUsdPerMTok + 10 * price.outputUsdPerMTok) / 1_000_000).toPrecision(3);
    // Ingress read max_tokens from the body it parsed: the cap arrives in RequestMeta.
    const order = ordering.order(plan(catalog, 'gpt-4o'), { ...META, maxOutputTokens: 10 }, body);
    expect(order).toMatchObject({ strategy: 'cost', reason: `cost: chose openai ($${usd} vs mini $${usd})` });
  });

  it('prices an OpenAI-compatible server’s model as usage events do: the override when there is one', () => {
    const servers: Provider[] = [
      { id: 'mistral', kind: 'openai', baseUrl: 'https://api.mistral.ai/v1', enabled: true, priority: 0, models: ['mistral-small-latest'] },
      { id: 'vllm', kind: 'openai', baseUrl: 'http://vllm:8000/v1', enabled: true, priority: 1, models: ['mistral-small-latest'] },
    ];
    const policies: RoutingPolicies = { default: { strategy: 'cost' }, models: {} };
    const order = (modelOverrides: Array<{ name: string; inputUsdPerMTok?: number; outputUsdPerMTok?: number; providers: string[]; updatedAt: string }>) => {
      const catalog = ProviderModelCatalog.fromSnapshot({ providers: servers, modelOverrides });
      const config = { current: () => ({ catalog, policies }) } as unknown as ConfigSnapshotWatcher;
      const candidates = buildRoutePlan({ requestedModel: 'mistral-small-latest', providers: servers, providersWithKeys: new Set(['mistral', 'vllm']), fallbacks: {}, catalog }).candidates;
      return new RoutePolicyOrderer(config, new ProviderStats(), new CircuitBreaker({ consecutiveFailures: 1, cooldownMs: 1 }), () => 0.5).order(candidates, META, Buffer.from('{}'));
    };
    // Both priced by the catalog's openai-compatible entry (not "price unknown"): a tie, by priority.
    expect(order([]).reason).toMatch(/^cost: chose mistral \(\$[0-9.e-]+ vs vllm \$[0-9.e-]+\)$/);
    expect(order([]).reason).not.toContain('unknown');
    // An operator override of the model's price applies to every kind serving it, the same for both: still a tie.
    expect(order([{ name: 'mistral-small-latest', inputUsdPerMTok: 0, outputUsdPerMTok: 0, providers: [], updatedAt: '' }]).reason).toBe('cost: chose mistral ($0.00 vs vllm $0.00)');
  });

  it('reads the breaker: under availability an open circuit goes last', () => {
    const { orderer: ordering, catalog, breaker } = orderer({ default: { strategy: 'availability' }, models: {} });
    const candidates = plan(catalog, 'gpt-4o');
    expect(candidates.map((c) => c.providerId)).toEqual(['openai', 'mini']);
    breaker.recordFailure(circuitKey('openai', 'gpt-4o'));
    const order = ordering.order(candidates, META, Buffer.from('{}'));
    expect(order.candidates.map((c) => c.providerId)).toEqual(['mini', 'openai']);
    expect(order.reason).toBe('availability: chose mini (ok 100% vs openai circuit open)');
  });

  it('feeds each attempt once: failures count against the provider, the serving attempt gives its latency', () => {
    const { orderer: ordering, catalog, stats } = orderer({ default: { strategy: 'latency' }, models: {} });
    feedProviderStats(
      stats,
      {
        attempts: [
          { provider: 'openai', providerKind: 'openai', model: 'gpt-4o', outcome: 'error', status: 500, latencyMs: 5 },
          { provider: 'openai', providerKind: 'openai', model: 'gpt-4o', outcome: 'client_error', status: 400, latencyMs: 5 },
          { provider: 'mini', providerKind: 'openai', model: 'gpt-4o', outcome: 'success', status: 200, latencyMs: 40 },
        ],
      },
      false,
    );
    expect(stats.figures('openai', 'gpt-4o')).toMatchObject({ errorRate: 1, outcomeSamples: 1, latencySamples: 0 });
    expect(stats.figures('mini', 'gpt-4o')).toMatchObject({ errorRate: 0, ewmaLatencyMs: 40, latencySamples: 1 });
    feedProviderStats(stats, { attempts: [{ provider: 'openai', providerKind: 'openai', model: 'gpt-4o', outcome: 'success', status: 200, latencyMs: 900 }], timeToFirstTokenMs: 30 }, true);
    expect(stats.figures('openai', 'gpt-4o')).toMatchObject({ ewmaTtftMs: 30, ewmaLatencyMs: undefined });
    const order = ordering.order(plan(catalog, 'gpt-4o'), { ...META, stream: true }, Buffer.from('{}'));
    expect(order.reason).toBe('latency: chose openai (ewma 30 ms vs mini 40 ms, a tie)');
  });

  it('feeds a hedge loser as a floor: an early-cancelled leg does not make a slow provider look fast', () => {
    const { orderer: ordering, catalog, stats } = orderer({ default: { strategy: 'latency' }, models: {} });
    for (let i = 0; i < 10; i++) {
      stats.record({ provider: 'openai', model: 'gpt-4o', outcome: 'success', ttftMs: 3_000 });
      stats.record({ provider: 'mini', model: 'gpt-4o', outcome: 'success', ttftMs: 300 });
    }
    // Hedged requests: the leg on openai started 300 ms in and was cancelled when mini answered at 320 ms.
    for (let i = 0; i < 5; i++) {
      feedProviderStats(
        stats,
        {
          attempts: [
            { provider: 'openai', providerKind: 'openai', model: 'gpt-4o', outcome: 'hedge_lost', status: 0, latencyMs: 20, hedge: true },
            { provider: 'mini', providerKind: 'openai', model: 'gpt-4o', outcome: 'success', status: 200, latencyMs: 320, hedge: true },
          ],
          timeToFirstTokenMs: 320,
        },
        true,
      );
    }
    expect(stats.figures('openai', 'gpt-4o')?.ewmaTtftMs).toBe(3_000);
    expect(ordering.order(plan(catalog, 'gpt-4o'), { ...META, stream: true }, Buffer.from('{}')).candidates[0].providerId).toBe('mini');
  });
});

