import { STRATEGIES, type OrderableCandidate, type StrategyContext } from './policy-strategies';
import { routingPolicyFor, type RoutingPolicies, type RoutingStrategy } from './routing-policy';

export interface PolicyOrder<C> {
  readonly candidates: C[];
  /** The requested model's strategy. */
  readonly strategy: RoutingStrategy;
  /** Why its first candidate goes first, at most REASON_LIMIT characters. */
  readonly reason: string;
}

/** A reason is a few words; it travels in every usage event and span. */
export const REASON_LIMIT = 200;

/**
 * The plan's candidates in the order the policies give: the plan lists each model's providers
 * together (the requested model's, then each fallback model's); each group is reordered by its
 * own model's policy and the groups keep their order, so fallback still follows the fallback map.
 */
export function orderByPolicy<C extends OrderableCandidate>(candidates: readonly C[], policies: RoutingPolicies, context: StrategyContext<C>): PolicyOrder<C> {
  const ordered: C[] = [];
  let strategy: RoutingStrategy | undefined;
  let reason = '';
  for (const group of modelGroups(candidates)) {
    const policy = routingPolicyFor(policies, group[0].requestedModel);
    const order = group.length > 1 || strategy === undefined ? STRATEGIES[policy.strategy](group, policy, context) : { candidates: group, reason: '' };
    if (strategy === undefined) {
      strategy = policy.strategy;
      reason = group.length > 1 ? order.reason : `${policy.strategy}: ${group[0].providerId} is the only candidate`;
    }
    ordered.push(...order.candidates);
  }
  const bounded = reason.length > REASON_LIMIT ? `${reason.slice(0, REASON_LIMIT - 1)}…` : reason;
  return { candidates: ordered, strategy: strategy ?? 'priority', reason: bounded };
}

/** Consecutive candidates serving the same model name. */
function modelGroups<C extends OrderableCandidate>(candidates: readonly C[]): C[][] {
  const groups: C[][] = [];
  for (const candidate of candidates) {
    const last = groups[groups.length - 1];
    if (last && last[0].requestedModel === candidate.requestedModel) last.push(candidate);
    else groups.push([candidate]);
  }
  return groups;
}
