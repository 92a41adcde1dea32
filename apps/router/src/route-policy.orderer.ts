import type { RequestMeta } from '@ai-gateway/proto';
import { circuitKey, expectedTokensOf, orderByPolicy, type CircuitBreaker, type PolicyOrder, type ProviderStatsSource, type RouteCandidate } from '@ai-gateway/routing';
import type { ConfigSnapshotWatcher } from './config-snapshot.watcher';

/**
 * The plan's candidates in the order of the routing policies of the latest config snapshot: a
 * step between the (cached) route plan and the attempt loop, once per request.
 */
export class RoutePolicyOrderer {
  constructor(
    private readonly config: Pick<ConfigSnapshotWatcher, 'current'>,
    private readonly stats: ProviderStatsSource,
    private readonly breaker: Pick<CircuitBreaker, 'available'>,
    private readonly random: () => number = Math.random,
  ) {}

  order(candidates: readonly RouteCandidate[], meta: RequestMeta, body: Uint8Array): PolicyOrder<RouteCandidate> {
    const view = this.config.current();
    return orderByPolicy(candidates, view.policies, {
      stats: this.stats,
      random: this.random,
      stream: meta.stream,
      // The price usage events charge (operator overrides, added models and OpenAI-compatible servers
      // included): by the provider's model id, else by the requested name (an Azure deployment id is not a catalog name).
      priceOf: (candidate) => (view.catalog.pricedEntry(candidate.model, candidate.kind) ?? view.catalog.pricedEntry(candidate.requestedModel, candidate.kind))?.price,
      expectedTokens: () => expectedTokensOf(body.byteLength, meta.maxOutputTokens),
      circuitOpen: (candidate) => !this.breaker.available(circuitKey(candidate.providerId, candidate.model)),
    });
  }
}
