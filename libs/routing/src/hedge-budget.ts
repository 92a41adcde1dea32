import { DEFAULT_HEDGE_MAX_SHARE, type HedgePolicy } from './routing-policy';
/**
 * The burst: hedges a model may take at once, as many as its share of this many requests (at
 * least one). Slow first bytes come in clusters; a bucket of one would refuse the second of two
 * slow requests in a row even at a share far below the cap.
 */
export const HEDGE_BURST_REQUESTS = 20;
/** Models whose budget is remembered; past it the oldest is forgotten (a forgotten model starts with a full burst). */
const REMEMBERED_MODELS = 1_024;
/** One token in integer parts, so that ten shares of 0.1 make exactly one. */
const TOKEN = 1_000_000;

/** The most hedges a model's N requests can take: `hedgeBurst(share) + N × share`. */
export function hedgeBurst(maxShare: number): number {
  return Math.max(1, Math.floor(maxShare * HEDGE_BURST_REQUESTS));
}

/**
 * Caps hedging to a share of each model's requests in this process: a token bucket of
 * `hedgeBurst(maxShare)` tokens, filled by `maxShare` with every request of the model and
 * emptied by one with every hedge. Over N requests at most burst + N × maxShare are hedged,
 * whatever happens upstream, so an outage that makes every first attempt slow cannot double the load.
 */
export class HedgeBudget {
  private readonly tokens = new Map<string, number>();

  /** A request of the model began (before any hedge decision). */
  request(model: string, policy: HedgePolicy): void {
    const share = shareOf(policy);
    const perRequest = Math.round(share * TOKEN);
    const capacity = perRequest > 0 ? hedgeBurst(share) * TOKEN : 0;
    const held = this.tokens.get(model);
    if (held === undefined && this.tokens.size >= REMEMBERED_MODELS) this.tokens.delete(this.tokens.keys().next().value as string);
    this.tokens.set(model, held === undefined ? capacity : Math.min(capacity, held + perRequest));
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
