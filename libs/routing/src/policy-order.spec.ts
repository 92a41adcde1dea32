import { orderByPolicy } from './policy-order';
import { ProviderStats } from './provider-stats';
import { EXPLORE_RATE, type StrategyContext, type TokenPrice } from './policy-strategies';
import type { RoutingPolicies, RoutingPolicy } from './routing-policy';

interface Candidate {
  providerId: string;
  model: string;
  requestedModel: string;
}

const group = (model: string, ...providers: string[]): Candidate[] => providers.map((providerId) => ({ providerId, model, requestedModel: model }));
const ids = (candidates: Candidate[]): string[] => candidates.map((c) => `${c.providerId}:${c.requestedModel}`);
const policies = (model: RoutingPolicy, fallback?: RoutingPolicy): RoutingPolicies => ({
  default: { strategy: 'priority' },
  models: { 'gpt-4o': model, ...(fallback ? { 'claude-3-5-sonnet': fallback } : {}) },
});

/** A repeatable pseudo-random sequence (mulberry32). */
function seeded(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function context(overrides: Partial<StrategyContext<Candidate>> = {}): StrategyContext<Candidate> {
  return {
    stats: new ProviderStats(),
    random: seeded(7),
    stream: false,
    priceOf: () => undefined,
    expectedTokens: () => ({ input: 1000, output: 256 }),
    circuitOpen: () => false,
    ...overrides,
  };
}

function firstShares(runs: number, order: () => Candidate[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (let i = 0; i < runs; i++) {
    const first = order()[0].providerId;
    counts[first] = (counts[first] ?? 0) + 1;
  }
  return Object.fromEntries(Object.entries(counts).map(([id, n]) => [id, n / runs]));
}

describe('orderByPolicy', () => {
  const plan = [...group('gpt-4o', 'openai', 'azure', 'backup'), ...group('claude-3-5-sonnet', 'anthropic', 'bedrock')];

  it('keeps the plan order under priority, the default', () => {
    const order = orderByPolicy(plan, { default: { strategy: 'priority' }, models: {} }, context());
    expect(ids(order.candidates)).toEqual(ids(plan));
    expect(order).toMatchObject({ strategy: 'priority', reason: 'priority: openai first by priority' });
  });

  it('reorders each model group by its own policy and keeps the fallback groups after the requested model', () => {
    const prices: Record<string, TokenPrice> = { anthropic: { inputUsdPerMTok: 3, outputUsdPerMTok: 15 }, bedrock: { inputUsdPerMTok: 1, outputUsdPerMTok: 5 } };
    const order = orderByPolicy(plan, policies({ strategy: 'weighted', weights: { backup: 1 } }, { strategy: 'cost' }), context({ priceOf: (c) => prices[c.providerId] }));
    expect(ids(order.candidates)).toEqual(['backup:gpt-4o', 'openai:gpt-4o', 'azure:gpt-4o', 'bedrock:claude-3-5-sonnet', 'anthropic:claude-3-5-sonnet']);
    expect(order.strategy).toBe('weighted');
  });

  describe('weighted', () => {
    it('sends the first attempt by weight, 3:1 within 3 points over 10 000 draws', () => {
      const random = seeded(42);
      const shares = firstShares(10_000, () => orderByPolicy(plan, policies({ strategy: 'weighted', weights: { openai: 3, azure: 1 } }), context({ random })).candidates);
      expect(shares.openai).toBeGreaterThan(0.72);
      expect(shares.openai).toBeLessThan(0.78);
      expect(shares.backup).toBeUndefined();
    });

    it('puts the unweighted last in priority order, and names the weight in the reason', () => {
      const order = orderByPolicy(plan, policies({ strategy: 'weighted', weights: { backup: 2, openai: 0 } }), context());
      expect(ids(order.candidates).slice(0, 3)).toEqual(['backup:gpt-4o', 'openai:gpt-4o', 'azure:gpt-4o']);
      expect(order.reason).toBe('weighted: chose backup (weight 2 of 2)');
    });

    it('spreads an open circuit’s share over the others by weight, and puts it after them', () => {
      const random = seeded(9);
      const open = (c: Candidate): boolean => c.providerId === 'openai';
      const weights = policies({ strategy: 'weighted', weights: { openai: 2, azure: 1, backup: 1 } });
      const shares = firstShares(4_000, () => orderByPolicy(plan, weights, context({ random, circuitOpen: open })).candidates);
      expect(shares.openai).toBeUndefined();
      expect(shares.azure).toBeGreaterThan(0.46);
      expect(shares.azure).toBeLessThan(0.54);
      const order = orderByPolicy(plan, weights, context({ random: () => 0.1, circuitOpen: open }));
      expect(ids(order.candidates).slice(0, 3)).toEqual(['azure:gpt-4o', 'backup:gpt-4o', 'openai:gpt-4o']);
      expect(order.reason).toBe('weighted: chose azure (weight 1 of 2; circuit open: openai)');
    });

    it('still draws by weight when every weighted circuit is open', () => {
      const order = orderByPolicy(plan, policies({ strategy: 'weighted', weights: { openai: 1, azure: 3 } }), context({ random: () => 0.5, circuitOpen: () => true }));
      expect(order.candidates[0].providerId).toBe('azure');
    });

    it('draws by the ratio of huge weights, whose sum would overflow', () => {
      const random = seeded(13);
      const shares = firstShares(4_000, () => orderByPolicy(plan, policies({ strategy: 'weighted', weights: { openai: 1e308, azure: 1e308, backup: 1 } }), context({ random })).candidates);
      expect(shares.openai).toBeGreaterThan(0.45);
      expect(shares.azure).toBeGreaterThan(0.45);
      expect(shares.backup).toBeUndefined();
    });

    it('draws from the injected random source', () => {
      const weights = { strategy: 'weighted' as const, weights: { openai: 1, azure: 1 } };
      expect(orderByPolicy(plan, policies(weights), context({ random: () => 0.1 })).candidates[0].providerId).toBe('openai');
      expect(orderByPolicy(plan, policies(weights), context({ random: () => 0.9 })).candidates[0].providerId).toBe('azure');
    });
  });

  describe('cost', () => {
    const prices: Record<string, TokenPrice> = {
      openai: { inputUsdPerMTok: 2.5, outputUsdPerMTok: 10 },
      azure: { inputUsdPerMTok: 0.15, outputUsdPerMTok: 0.6 },
    };

    it('puts the cheapest for the expected tokens first and unknown prices last', () => {
      const order = orderByPolicy(plan, policies({ strategy: 'cost' }), context({ priceOf: (c) => prices[c.providerId] }));
      expect(ids(order.candidates).slice(0, 3)).toEqual(['azure:gpt-4o', 'openai:gpt-4o', 'backup:gpt-4o']);
      expect(order.reason).toBe('cost: chose azure ($0.000304 vs openai $0.00506)');
    });

    it('weighs input against output by the request: a long answer favours the cheaper output', () => {
      const skewed: Record<string, TokenPrice> = { openai: { inputUsdPerMTok: 1, outputUsdPerMTok: 10 }, azure: { inputUsdPerMTok: 5, outputUsdPerMTok: 2 } };
      const order = (output: number) =>
        orderByPolicy(plan, policies({ strategy: 'cost' }), context({ priceOf: (c) => skewed[c.providerId], expectedTokens: () => ({ input: 1000, output }) })).candidates[0].providerId;
      expect(order(10)).toBe('openai');
      expect(order(4000)).toBe('azure');
    });

    it('breaks ties by priority', () => {
      const same = { inputUsdPerMTok: 1, outputUsdPerMTok: 1 };
      expect(orderByPolicy(plan, policies({ strategy: 'cost' }), context({ priceOf: () => same })).candidates[0].providerId).toBe('openai');
    });
  });

  describe('latency', () => {
    const latencyPolicy = policies({ strategy: 'latency' });
    const two = group('gpt-4o', 'openai', 'azure');

    it('explores a provider with no samples on EXPLORE_RATE of requests, so concurrent requests do not herd onto it', () => {
      const stats = new ProviderStats();
      stats.record({ provider: 'openai', model: 'gpt-4o', outcome: 'success', latencyMs: 50 });
      const order = orderByPolicy(two, latencyPolicy, context({ stats, random: () => EXPLORE_RATE / 2 }));
      expect(order.candidates[0].providerId).toBe('azure');
      expect(order.reason).toBe('latency: exploring azure (no samples yet)');
      const random = seeded(17);
      const shares = firstShares(4_000, () => orderByPolicy(two, latencyPolicy, context({ stats, random })).candidates);
      expect(shares.azure).toBeGreaterThan(EXPLORE_RATE * 0.7);
      expect(shares.azure).toBeLessThan(EXPLORE_RATE * 1.3);
    });

    it('with nothing timed yet (a restart), spreads first attempts over the providers at random', () => {
      const three = group('gpt-4o', 'openai', 'azure', 'backup');
      const random = seeded(19);
      const shares = firstShares(3_000, () => orderByPolicy(three, latencyPolicy, context({ random })).candidates);
      for (const provider of ['openai', 'azure', 'backup']) {
        expect(shares[provider]).toBeGreaterThan(0.28);
        expect(shares[provider]).toBeLessThan(0.39);
      }
    });

    it('puts a provider that has only failed (never timed) after the timed ones: it gets exploration traffic only', () => {
      const stats = new ProviderStats();
      for (let i = 0; i < 50; i++) stats.record({ provider: 'azure', model: 'gpt-4o', outcome: 'success', latencyMs: 400 });
      for (let i = 0; i < 50; i++) stats.record({ provider: 'openai', model: 'gpt-4o', outcome: 'failure' });
      const order = orderByPolicy(two, latencyPolicy, context({ stats, random: () => 0.5 }));
      expect(ids(order.candidates)).toEqual(['azure:gpt-4o', 'openai:gpt-4o']);
      expect(order.reason).toBe('latency: chose azure (ewma 400 ms vs openai never timed, 100% failed)');
      const random = seeded(23);
      const shares = firstShares(4_000, () => orderByPolicy(two, latencyPolicy, context({ stats, random })).candidates);
      expect(shares.openai).toBeLessThan(EXPLORE_RATE * 1.3);
    });

    it('orders providers with outcomes but no timing by their error rate when none is timed', () => {
      const stats = new ProviderStats();
      stats.record({ provider: 'openai', model: 'gpt-4o', outcome: 'failure' });
      stats.record({ provider: 'azure', model: 'gpt-4o', outcome: 'failure' });
      stats.record({ provider: 'azure', model: 'gpt-4o', outcome: 'failure' });
      stats.record({ provider: 'backup', model: 'gpt-4o', outcome: 'failure' });
      stats.record({ provider: 'backup', model: 'gpt-4o', outcome: 'success' });
      stats.record({ provider: 'backup', model: 'gpt-4o', outcome: 'failure' });
      const order = orderByPolicy(group('gpt-4o', 'openai', 'azure', 'backup'), latencyPolicy, context({ stats }));
      expect(ids(order.candidates)).toEqual(['backup:gpt-4o', 'openai:gpt-4o', 'azure:gpt-4o']);
    });

    it('reads time to first token for streams and total latency for unary calls', () => {
      const stats = new ProviderStats();
      stats.record({ provider: 'openai', model: 'gpt-4o', outcome: 'success', latencyMs: 100, ttftMs: 400 });
      stats.record({ provider: 'azure', model: 'gpt-4o', outcome: 'success', latencyMs: 400, ttftMs: 100 });
      const noExplore = () => 0.5;
      expect(orderByPolicy(two, latencyPolicy, context({ stats, random: noExplore, stream: false })).candidates[0].providerId).toBe('openai');
      const streamed = orderByPolicy(two, latencyPolicy, context({ stats, random: noExplore, stream: true }));
      expect(streamed.candidates[0].providerId).toBe('azure');
      expect(streamed.reason).toBe('latency: chose azure (ewma 100 ms vs openai 400 ms)');
    });

    it('sends a slowed provider only exploration traffic within a few requests, and shares again once it recovers', () => {
      const stats = new ProviderStats();
      const random = seeded(3);
      const latencyMs: Record<string, number> = { openai: 50, azure: 50 };
      const route = (): string => {
        const first = orderByPolicy(two, latencyPolicy, context({ stats, random })).candidates[0].providerId;
        stats.record({ provider: first, model: 'gpt-4o', outcome: 'success', latencyMs: latencyMs[first] });
        return first;
      };
      const share = (runs: number, provider: string): number => Array.from({ length: runs }, route).filter((id) => id === provider).length / runs;
      // Equal latencies: both serve (a tie is split at random), so neither is overwhelmed.
      expect(share(400, 'openai')).toBeGreaterThan(0.35);
      latencyMs.openai = 500;
      // Within 10 requests its one slow sample has moved it behind: from then on only exploration.
      Array.from({ length: 10 }, route);
      expect(share(400, 'openai')).toBeLessThan(EXPLORE_RATE * 1.5);
      latencyMs.openai = 50;
      // Re-measured by exploration, it is back within 200 requests.
      Array.from({ length: 200 }, route);
      expect(share(400, 'openai')).toBeGreaterThan(0.35);
    });

    it('with three candidates, P2C sends the fastest most but not all of the traffic', () => {
      const stats = new ProviderStats();
      const three = group('gpt-4o', 'openai', 'azure', 'backup');
      for (const [provider, ms] of [['openai', 100], ['azure', 300], ['backup', 900]] as const) stats.record({ provider, model: 'gpt-4o', outcome: 'success', latencyMs: ms });
      const random = seeded(11);
      const shares = firstShares(5_000, () => orderByPolicy(three, latencyPolicy, context({ stats, random })).candidates);
      expect(shares.openai).toBeGreaterThan(0.6);
      expect(shares.openai).toBeLessThan(0.97);
      expect(shares.backup).toBeLessThan(shares.azure);
    });
  });

  describe('availability', () => {
    const availability = policies({ strategy: 'availability' });
    const two = group('gpt-4o', 'openai', 'azure');

    it('puts the lower error rate first, ties by priority, an open circuit last', () => {
      const stats = new ProviderStats();
      stats.record({ provider: 'openai', model: 'gpt-4o', outcome: 'failure' });
      const order = orderByPolicy(two, availability, context({ stats, random: () => 0.5 }));
      expect(order.candidates[0].providerId).toBe('azure');
      expect(order.reason).toBe('availability: chose azure (ok 100% vs openai ok 0%)');
      expect(orderByPolicy(two, availability, context({ random: () => 0.5 })).candidates[0].providerId).toBe('openai');
      const open = orderByPolicy(two, availability, context({ random: () => 0.5, circuitOpen: (c) => c.providerId === 'openai' }));
      expect(ids(open.candidates)).toEqual(['azure:gpt-4o', 'openai:gpt-4o']);
      expect(open.reason).toContain('openai circuit open');
    });

    it('gives an erroring provider only exploration traffic, and takes it back once it recovers', () => {
      const stats = new ProviderStats();
      const random = seeded(5);
      const failing = new Set(['openai']);
      const route = (): string => {
        const first = orderByPolicy(two, availability, context({ stats, random })).candidates[0].providerId;
        stats.record({ provider: first, model: 'gpt-4o', outcome: failing.has(first) ? 'failure' : 'success' });
        return first;
      };
      const share = (runs: number): number => Array.from({ length: runs }, route).filter((id) => id === 'openai').length / runs;
      expect(share(400)).toBeLessThan(EXPLORE_RATE * 1.5);
      failing.clear();
      Array.from({ length: 200 }, route);
      expect(share(200)).toBeGreaterThan(0.85);
    });
  });

  it('bounds the reason', () => {
    const long = group('gpt-4o', 'p'.repeat(300), 'q');
    expect(orderByPolicy(long, { default: { strategy: 'priority' }, models: {} }, context()).reason.length).toBeLessThanOrEqual(200);
  });
});
