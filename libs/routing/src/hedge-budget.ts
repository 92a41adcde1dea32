import type { HedgePolicy } from './routing-policy';

/** The share of a model's requests that may be hedged when the policy names none. */
export const DEFAULT_HEDGE_MAX_SHARE = 0.1;
/** Models whose budget is remembered; past it the oldest is forgotten (a forgotten model starts with one hedge in hand). */
const REMEMBERED_MODELS = 1_024;
/** One token in integer parts, so that ten shares of 0.1 make exactly one. */
const TOKEN = 1_000_000;

/**
 * Caps hedging to a share of each model's requests in this process: a token bucket that every
 * request of the model fills by `maxShare` (up to one token) and every hedge empties by one.
 * Over N requests at most 1 + N × maxShare are hedged, whatever happens upstream, so an outage
 * that makes every first attempt slow cannot double the load.
 */
export class HedgeBudget {
  private readonly tokens = new Map<string, number>();

  /** A request of the model began (before any hedge decision). */
  request(model: string, policy: HedgePolicy): void {
    const share = Math.round(shareOf(policy) * TOKEN);
    const held = this.tokens.get(model);
    if (held === undefined && this.tokens.size >= REMEMBERED_MODELS) this.tokens.delete(this.tokens.keys().next().value as string);
    this.tokens.set(model, held === undefined ? (share > 0 ? TOKEN : 0) : Math.min(TOKEN, held + share));
  }

  /** Takes a hedge from the model's budget; false when its share is used up. */
  tryHedge(model: string): boolean {
    const held = this.tokens.get(model) ?? 0;
    if (held < TOKEN) return false;
    this.tokens.set(model, held - TOKEN);
    return true;
  }
}

function shareOf(policy: HedgePolicy): number {
  const share = policy.maxShare ?? DEFAULT_HEDGE_MAX_SHARE;
  return Number.isFinite(share) ? Math.min(1, Math.max(0, share)) : DEFAULT_HEDGE_MAX_SHARE;
}
