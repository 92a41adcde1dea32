import type { RoutingPolicies as RoutingPoliciesMessage, RoutingPolicy as RoutingPolicyMessage } from '@ai-gateway/proto';
import { DEFAULT_ROUTING_POLICIES, type HedgePolicy, type RoutingPolicies, type RoutingPolicy, type RoutingStrategy } from './routing-policy';

/** The policies a config snapshot carries, typed; unset fields read as priority (older snapshots). */
export function routingPoliciesFromProto(message: RoutingPoliciesMessage | undefined): RoutingPolicies {
  if (!message) return DEFAULT_ROUTING_POLICIES;
  const models = Object.fromEntries(Object.entries(message.models ?? {}).map(([model, policy]) => [model, policyFromProto(policy)]));
  return { default: message.defaultPolicy ? policyFromProto(message.defaultPolicy) : DEFAULT_ROUTING_POLICIES.default, models };
}

export function routingPoliciesToProto(policies: RoutingPolicies): RoutingPoliciesMessage {
  return {
    defaultPolicy: policyToProto(policies.default),
    models: Object.fromEntries(Object.entries(policies.models).map(([model, policy]) => [model, policyToProto(policy)])),
  };
}

function policyFromProto(message: RoutingPolicyMessage): RoutingPolicy {
  const weights = message.weights ?? {};
  const policy: { strategy: RoutingStrategy; weights?: Record<string, number>; hedge?: HedgePolicy } = { strategy: (message.strategy || 'priority') as RoutingStrategy };
  if (Object.keys(weights).length > 0) policy.weights = { ...weights };
  const hedge = message.hedge;
  if (hedge && (hedge.afterP95 || hedge.afterMs > 0)) {
    policy.hedge = { afterMs: hedge.afterP95 ? 'p95' : hedge.afterMs, ...(hedge.maxShare > 0 ? { maxShare: hedge.maxShare } : {}) };
  }
  return policy;
}

function policyToProto(policy: RoutingPolicy): RoutingPolicyMessage {
  const hedge = policy.hedge;
  return {
    strategy: policy.strategy,
    weights: { ...(policy.weights ?? {}) },
    hedge: hedge ? { afterMs: hedge.afterMs === 'p95' ? 0 : hedge.afterMs, afterP95: hedge.afterMs === 'p95', maxShare: hedge.maxShare ?? 0 } : undefined,
  };
}
