import { ROUTING_STRATEGIES, type HedgePolicy, type RoutingPolicies, type RoutingPolicy, type RoutingStrategy } from './routing-policy';

/** Models with their own policy, at most: the whole map travels in every config snapshot. */
export const MAX_POLICY_MODELS = 1_000;
/** Longest model name or provider id a policy names. */
export const MAX_POLICY_NAME_LENGTH = 256;
/** Weights per policy, at most (one per provider). */
export const MAX_POLICY_WEIGHTS = 256;
/**
 * The largest weight: only ratios matter, and a million to one is finer than any traffic split
 * needs, while 256 such weights still add up to a number a draw can be made against.
 */
export const MAX_POLICY_WEIGHT = 1_000_000;
/**
 * The stored policies at most, as JSON: they are one entry of the config KV bucket and travel in
 * every config snapshot, well under NATS's default 1 MiB message.
 */
export const MAX_POLICIES_JSON_BYTES = 256 * 1024;
/** A hedge fires at the earliest after 1 ms and at the latest after a minute. */
export const HEDGE_AFTER_MS_RANGE = { min: 1, max: 60_000 } as const;

/** A policy the admin API or the policies file cannot take; `param` names the field (`models.gpt-4o.weights.openai`). */
export class RoutingPolicyError extends Error {
  constructor(
    message: string,
    readonly param: string,
  ) {
    super(message);
  }
}

/**
 * The admin JSON (`{"default": {...}, "models": {...}}`) as RoutingPolicies, or a
 * RoutingPolicyError naming the first bad field. `providerIds`, when given, are the providers a
 * weight may name. Weights under a strategy other than `weighted` are validated and kept (a
 * switch back to `weighted` finds them) but read by `weighted` only.
 */
export function parseRoutingPolicies(value: unknown, providerIds?: ReadonlySet<string>): RoutingPolicies {
  const body = objectAt(value, '');
  for (const key of Object.keys(body)) {
    if (key !== 'default' && key !== 'models') throw new RoutingPolicyError(`unknown field "${shown(key)}" (expected "default" and "models")`, shown(key));
  }
  const defaultPolicy = body.default === undefined ? { strategy: 'priority' as const } : parsePolicy(body.default, 'default', providerIds);
  const modelsValue = body.models === undefined ? {} : objectAt(body.models, 'models');
  const names = Object.keys(modelsValue);
  if (names.length > MAX_POLICY_MODELS) throw new RoutingPolicyError(`at most ${MAX_POLICY_MODELS} models may have their own policy, got ${names.length}`, 'models');
  const models: Record<string, RoutingPolicy> = {};
  for (const name of names) {
    checkName(name, 'models', 'model name');
    models[name] = parsePolicy(modelsValue[name], `models.${name}`, providerIds);
  }
  const policies = { default: defaultPolicy, models };
  const bytes = Buffer.byteLength(JSON.stringify(policies));
  if (bytes > MAX_POLICIES_JSON_BYTES) throw new RoutingPolicyError(`the policies take ${bytes} bytes as JSON; at most ${MAX_POLICIES_JSON_BYTES}`, 'models');
  return policies;
}

/** The same checks for policies already typed (the gRPC request, the stored entry). */
export function checkRoutingPolicies(policies: RoutingPolicies, providerIds?: ReadonlySet<string>): RoutingPolicies {
  return parseRoutingPolicies(routingPoliciesJson(policies), providerIds);
}

/** The admin shape of the policies: optional fields left out. */
export function routingPoliciesJson(policies: RoutingPolicies): { default: RoutingPolicy; models: Record<string, RoutingPolicy> } {
  return { default: policies.default, models: { ...policies.models } };
}

function parsePolicy(value: unknown, path: string, providerIds: ReadonlySet<string> | undefined): RoutingPolicy {
  const body = objectAt(value, path);
  for (const key of Object.keys(body)) {
    if (key !== 'strategy' && key !== 'weights' && key !== 'hedge') throw new RoutingPolicyError(`unknown field "${shown(key)}" in ${path} (expected strategy, weights, hedge)`, `${path}.${shown(key)}`);
  }
  const strategy = body.strategy;
  if (typeof strategy !== 'string' || !ROUTING_STRATEGIES.includes(strategy as RoutingStrategy)) {
    throw new RoutingPolicyError(`${path}.strategy must be one of ${ROUTING_STRATEGIES.join(', ')}`, `${path}.strategy`);
  }
  const policy: { strategy: RoutingStrategy; weights?: Record<string, number>; hedge?: HedgePolicy } = { strategy: strategy as RoutingStrategy };
  if (body.weights !== undefined) policy.weights = parseWeights(body.weights, `${path}.weights`, providerIds);
  if (strategy === 'weighted') {
    const weights = Object.values(policy.weights ?? {});
    if (!weights.some((weight) => weight > 0)) throw new RoutingPolicyError(`${path}.weights must give at least one provider a weight above 0 for "weighted"`, `${path}.weights`);
  }
  if (body.hedge !== undefined) policy.hedge = parseHedge(body.hedge, `${path}.hedge`);
  return policy;
}

function parseWeights(value: unknown, path: string, providerIds: ReadonlySet<string> | undefined): Record<string, number> {
  const body = objectAt(value, path);
  const entries = Object.entries(body);
  if (entries.length > MAX_POLICY_WEIGHTS) throw new RoutingPolicyError(`${path} may name at most ${MAX_POLICY_WEIGHTS} providers`, path);
  const weights: Record<string, number> = {};
  for (const [provider, weight] of entries) {
    checkName(provider, path, 'provider id');
    if (typeof weight !== 'number' || !Number.isFinite(weight) || weight < 0 || weight > MAX_POLICY_WEIGHT) {
      throw new RoutingPolicyError(`${path}.${provider} must be a number from 0 to ${MAX_POLICY_WEIGHT}`, `${path}.${provider}`);
    }
    if (providerIds && !providerIds.has(provider)) throw new RoutingPolicyError(`${path} names unknown provider "${provider}"`, `${path}.${provider}`);
    weights[provider] = weight;
  }
  return weights;
}

function parseHedge(value: unknown, path: string): HedgePolicy {
  const body = objectAt(value, path);
  for (const key of Object.keys(body)) {
    if (key !== 'afterMs' && key !== 'maxShare') throw new RoutingPolicyError(`unknown field "${shown(key)}" in ${path} (expected afterMs, maxShare)`, `${path}.${shown(key)}`);
  }
  const afterMs = body.afterMs;
  const { min, max } = HEDGE_AFTER_MS_RANGE;
  if (afterMs !== 'p95' && !(typeof afterMs === 'number' && Number.isInteger(afterMs) && afterMs >= min && afterMs <= max)) {
    throw new RoutingPolicyError(`${path}.afterMs must be an integer from ${min} to ${max}, or "p95"`, `${path}.afterMs`);
  }
  const maxShare = body.maxShare;
  if (maxShare !== undefined && !(typeof maxShare === 'number' && Number.isFinite(maxShare) && maxShare > 0 && maxShare <= 1)) {
    throw new RoutingPolicyError(`${path}.maxShare must be a number above 0 and at most 1`, `${path}.maxShare`);
  }
  return maxShare === undefined ? { afterMs } : { afterMs, maxShare };
}

function objectAt(value: unknown, path: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new RoutingPolicyError(`${path || 'the body'} must be a JSON object`, path);
  }
  return value as Record<string, unknown>;
}

function checkName(name: string, path: string, what: string): void {
  if (name.length === 0 || name.length > MAX_POLICY_NAME_LENGTH) {
    throw new RoutingPolicyError(`${path}: a ${what} must be 1-${MAX_POLICY_NAME_LENGTH} characters`, path);
  }
}

/** A client's field name as an error quotes it: never longer than a model name may be. */
function shown(key: string): string {
  return key.length > MAX_POLICY_NAME_LENGTH ? `${key.slice(0, MAX_POLICY_NAME_LENGTH)}…` : key;
}
