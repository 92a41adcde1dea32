// Routing policies (`{"default": {...}, "models": {...}}`) edited as rows: the default row first,
// then one per model, each a strategy, weights as "openai=3, azure=1", and an optional hedge.
// Pure: parse, format, check what the browser can; the gateway checks again (providers, bounds).
import type { RoutingPolicies, RoutingPolicy, RoutingStrategy } from './admin-api.js';

export const STRATEGIES: readonly RoutingStrategy[] = ['priority', 'weighted', 'cost', 'latency', 'availability'];

export interface PolicyRow {
  /** Empty for the default policy. */
  model: string;
  strategy: RoutingStrategy;
  /** "openai=3, azure=1" */
  weights: string;
  /** "", a number of ms, or "p95" */
  hedgeAfter: string;
  /** "" (the default, 0.1) or a share in (0, 1] */
  hedgeMaxShare: string;
}

export interface PolicyRowError {
  row: number;
  field: 'model' | 'weights' | 'hedgeAfter' | 'hedgeMaxShare';
  message: string;
}

export type ParsedPolicies = { ok: true; policies: RoutingPolicies } | { ok: false; errors: PolicyRowError[] };

/** The default row, then the models sorted by name. */
export function toPolicyRows(policies: RoutingPolicies): PolicyRow[] {
  const row = (model: string, policy: RoutingPolicy): PolicyRow => ({
    model,
    strategy: policy.strategy,
    weights: Object.entries(policy.weights ?? {})
      .map(([provider, weight]) => `${provider}=${weight}`)
      .join(', '),
    hedgeAfter: policy.hedge ? String(policy.hedge.afterMs) : '',
    hedgeMaxShare: policy.hedge?.maxShare === undefined ? '' : String(policy.hedge.maxShare),
  });
  const models = Object.keys(policies.models).sort();
  return [row('', policies.default), ...models.map((model) => row(model, policies.models[model]))];
}

export function parsePolicyRows(rows: readonly PolicyRow[]): ParsedPolicies {
  const errors: PolicyRowError[] = [];
  let defaultPolicy: RoutingPolicy = { strategy: 'priority' };
  const models: Record<string, RoutingPolicy> = {};
  rows.forEach((row, index) => {
    const policy: RoutingPolicy = { strategy: row.strategy };
    const weights = parseWeights(row.weights);
    if (typeof weights === 'string') errors.push({ row: index, field: 'weights', message: weights });
    else if (Object.keys(weights).length > 0) policy.weights = weights;
    if (row.strategy === 'weighted' && typeof weights !== 'string' && !Object.values(weights).some((w) => w > 0)) {
      errors.push({ row: index, field: 'weights', message: 'weighted needs at least one weight above 0, e.g. openai=3, azure=1' });
    }
    const after = row.hedgeAfter.trim();
    if (after) {
      const afterMs = after === 'p95' ? 'p95' : Number(after);
      if (afterMs !== 'p95' && !(Number.isInteger(afterMs) && afterMs >= 1 && afterMs <= 60_000)) {
        errors.push({ row: index, field: 'hedgeAfter', message: 'hedge after: whole ms from 1 to 60000, or p95' });
      }
      const share = row.hedgeMaxShare.trim();
      const maxShare = share ? Number(share) : undefined;
      if (maxShare !== undefined && !(maxShare > 0 && maxShare <= 1)) errors.push({ row: index, field: 'hedgeMaxShare', message: 'max share: above 0 and at most 1' });
      policy.hedge = maxShare === undefined ? { afterMs } : { afterMs, maxShare };
    } else if (row.hedgeMaxShare.trim()) {
      errors.push({ row: index, field: 'hedgeAfter', message: 'a max share needs a hedge delay (ms or p95)' });
    }
    if (index === 0 && row.model === '') {
      defaultPolicy = policy;
      return;
    }
    const model = row.model.trim();
    if (!model) errors.push({ row: index, field: 'model', message: 'name the model' });
    else if (Object.hasOwn(models, model)) errors.push({ row: index, field: 'model', message: `"${model}" has another row` });
    else models[model] = policy;
  });
  return errors.length > 0 ? { ok: false, errors } : { ok: true, policies: { default: defaultPolicy, models } };
}

/** "openai=3, azure = 1" → {openai: 3, azure: 1}; a problem as text. */
function parseWeights(text: string): Record<string, number> | string {
  const weights: Record<string, number> = {};
  for (const part of text.split(',').map((p) => p.trim()).filter(Boolean)) {
    const match = /^([^=\s]+)\s*=\s*([0-9]+(?:\.[0-9]+)?)$/.exec(part);
    if (!match) return `"${part}" is not provider=weight (e.g. openai=3)`;
    weights[match[1]] = Number(match[2]);
  }
  return weights;
}

/** "120 ms", or "—" without a sample. */
export function formatMs(value: number | null): string {
  return value === null ? '—' : `${Math.round(value)} ms`;
}

export function formatRate(value: number): string {
  return `${(value * 100).toFixed(1)}%`;
}
