/**
 * How the router orders a model's providers (issue 18). CONTRACT.md gives the admin shape:
 * `{"default": {...}, "models": {"gpt-4o": {...}}}`. The plan is the policy's order over the
 * requested model's providers, then the fallback map, each fallback model ordered by its own policy.
 */
export type RoutingStrategy = 'priority' | 'weighted' | 'cost' | 'latency' | 'availability';

export const ROUTING_STRATEGIES: readonly RoutingStrategy[] = ['priority', 'weighted', 'cost', 'latency', 'availability'];

/**
 * Opt-in hedging: when the first attempt has no first byte after `afterMs` (or after the
 * provider's recent p95 time to first token when `afterMs` is "p95"), the same request also
 * starts on the next candidate; the first to answer wins and the other is cancelled upstream.
 * `maxShare` caps hedged requests to that share of the model's traffic (0 < maxShare <= 1).
 */
/** The share of a model's requests that may be hedged when its policy names none. */
export const DEFAULT_HEDGE_MAX_SHARE = 0.1;

export interface HedgePolicy {
  readonly afterMs: number | 'p95';
  readonly maxShare?: number;
}

export interface RoutingPolicy {
  readonly strategy: RoutingStrategy;
  /** Provider id → weight, for `weighted`; a provider not listed weighs 0 under it. */
  readonly weights?: Readonly<Record<string, number>>;
  readonly hedge?: HedgePolicy;
}

export interface RoutingPolicies {
  readonly default: RoutingPolicy;
  readonly models: Readonly<Record<string, RoutingPolicy>>;
}

export const DEFAULT_ROUTING_POLICIES: RoutingPolicies = { default: { strategy: 'priority' }, models: {} };

/** The model's own policy, else the default. */
export function routingPolicyFor(policies: RoutingPolicies, model: string): RoutingPolicy {
  return policies.models[model] ?? policies.default;
}
