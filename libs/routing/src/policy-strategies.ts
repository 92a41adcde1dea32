import type { ProviderStatsSource } from './provider-stats';
import type { RoutingPolicy } from './routing-policy';

/** What a strategy needs of a candidate. */
export interface OrderableCandidate {
  readonly providerId: string;
  /** The provider's model id. */
  readonly model: string;
  /** The model name this candidate serves (the requested one or a fallback): its policy applies. */
  readonly requestedModel: string;
}

/** USD per million tokens, as the catalog prices a model. */
export interface TokenPrice {
  readonly inputUsdPerMTok: number;
  readonly outputUsdPerMTok: number;
}

export interface ExpectedTokens {
  readonly input: number;
  readonly output: number;
}

export interface StrategyContext<C extends OrderableCandidate> {
  readonly stats: ProviderStatsSource;
  /** Uniform in [0, 1). */
  readonly random: () => number;
  readonly stream: boolean;
  /** The catalog's price of the candidate's model (operator overrides included), when known. */
  readonly priceOf: (candidate: C) => TokenPrice | undefined;
  /** Computed only when a cost policy asks. */
  readonly expectedTokens: () => ExpectedTokens;
  readonly circuitOpen: (candidate: C) => boolean;
}

export interface GroupOrder<C> {
  readonly candidates: C[];
  readonly reason: string;
}

/**
 * The share of requests a latency or availability policy sends first to a candidate other
 * than the best one: how a provider that recovered is measured again.
 */
export const EXPLORE_RATE = 0.1;
/** Latencies this close (relative) count as equal, so equally fast providers share the traffic. */
export const LATENCY_TIE_RATIO = 0.1;
/** ... and this close in absolute ms: below it the difference is noise. */
export const LATENCY_TIE_MS = 20;
/** Error rates are compared in steps of this size; within a step, priority decides. */
export const ERROR_RATE_STEP = 0.05;

type Strategy = <C extends OrderableCandidate>(group: readonly C[], policy: RoutingPolicy, context: StrategyContext<C>) => GroupOrder<C>;

export const STRATEGIES: Readonly<Record<RoutingPolicy['strategy'], Strategy>> = {
  priority: (group) => ({ candidates: [...group], reason: `priority: ${group[0].providerId} first by priority` }),
  weighted: orderByWeight,
  cost: orderByCost,
  latency: orderByLatency,
  availability: orderByAvailability,
};

/**
 * One random pick by weight among the weighted providers whose circuit is not open (so an open
 * one's share is spread over the others by their weights, not handed to the next-heaviest), then
 * the other weighted providers by weight, open circuits last, then the unweighted in priority order.
 */
function orderByWeight<C extends OrderableCandidate>(group: readonly C[], policy: RoutingPolicy, context: StrategyContext<C>): GroupOrder<C> {
  const weights = policy.weights ?? {};
  const weightOf = (candidate: C): number => weights[candidate.providerId] ?? 0;
  const weighted = group.filter((candidate) => weightOf(candidate) > 0);
  const unweighted = group.filter((candidate) => weightOf(candidate) <= 0);
  if (weighted.length === 0) return { candidates: [...group], reason: `weighted: no weighted provider; ${group[0].providerId} first by priority` };
  const open = new Set(weighted.filter((candidate) => context.circuitOpen(candidate)));
  const drawable = open.size < weighted.length ? weighted.filter((candidate) => !open.has(candidate)) : weighted;
  const total = drawable.reduce((sum, candidate) => sum + weightOf(candidate), 0);
  const first = pickWeighted(drawable, weightOf, context.random);
  const rest = stableSort(
    weighted.filter((candidate) => candidate !== first),
    (a, b) => compareNumbers(Number(open.has(a)), Number(open.has(b))) || weightOf(b) - weightOf(a),
  );
  const skipped = open.size > 0 && drawable !== weighted ? `; circuit open: ${[...open].map((candidate) => candidate.providerId).join(', ')}` : '';
  return { candidates: [first, ...rest, ...unweighted], reason: `weighted: chose ${first.providerId} (weight ${round(weightOf(first))} of ${round(total)}${skipped})` };
}

/** Cheapest first for the request's expected tokens; unknown prices after the known, in priority order. */
function orderByCost<C extends OrderableCandidate>(group: readonly C[], _policy: RoutingPolicy, context: StrategyContext<C>): GroupOrder<C> {
  const tokens = context.expectedTokens();
  const costs = new Map<C, number>();
  for (const candidate of group) {
    const price = context.priceOf(candidate);
    costs.set(candidate, price ? (tokens.input * price.inputUsdPerMTok + tokens.output * price.outputUsdPerMTok) / 1_000_000 : Number.POSITIVE_INFINITY);
  }
  const ordered = stableSort(group, (a, b) => compareNumbers(costs.get(a) as number, costs.get(b) as number));
  const [first, second] = ordered;
  const versus = second ? ` vs ${second.providerId} ${usd(costs.get(second) as number)}` : '';
  return { candidates: ordered, reason: `cost: chose ${first.providerId} (${usd(costs.get(first) as number)}${versus})` };
}

/**
 * Power of two choices over the latency EWMA (time to first token for streams, total latency for
 * unary calls, each falling back to the other): two candidates drawn at random, weighted toward
 * the fast, and the faster of the two goes first (a near tie is broken at random). EXPLORE_RATE of
 * requests go first to another than the best: a candidate never measured if there is one (so a new
 * provider is measured soon, without every concurrent request herding onto it), else a slower one,
 * so a provider that slowed down and recovered is measured again. A candidate that has only failed
 * (never timed) counts as slower than every timed one, by its error rate. With nothing timed yet
 * (a restart), an unmeasured candidate drawn at random goes first, so requests spread while the
 * first samples come in.
 */
function orderByLatency<C extends OrderableCandidate>(group: readonly C[], _policy: RoutingPolicy, context: StrategyContext<C>): GroupOrder<C> {
  const latency = new Map<C, number | undefined>(group.map((candidate) => [candidate, latencyOf(candidate, context)]));
  const errorRate = (candidate: C): number => context.stats.figures(candidate.providerId, candidate.model)?.errorRate ?? 0;
  const timed = stableSort(
    group.filter((candidate) => latency.get(candidate) !== undefined),
    (a, b) => (latency.get(a) as number) - (latency.get(b) as number),
  );
  const onlyFailed = stableSort(
    group.filter((candidate) => latency.get(candidate) === undefined && hasOutcomes(candidate, context)),
    (a, b) => errorRate(a) - errorRate(b),
  );
  const unmeasured = group.filter((candidate) => latency.get(candidate) === undefined && !hasOutcomes(candidate, context));
  const rest = (first: C): C[] => [...timed, ...unmeasured, ...onlyFailed].filter((candidate) => candidate !== first);
  /** `ewma 120 ms` for the first named, `120 ms` for the one compared with. */
  const figure = (candidate: C, compared = false): string => {
    const ms = latency.get(candidate);
    if (ms !== undefined) return `${compared ? '' : 'ewma '}${Math.round(ms)} ms`;
    return hasOutcomes(candidate, context) ? `never timed, ${Math.round(errorRate(candidate) * 100)}% failed` : 'no samples yet';
  };
  const versus = (first: C, other: C | undefined): string => `${figure(first)}${other ? ` vs ${other.providerId} ${figure(other, true)}` : ''}`;
  const exploring = (pool: readonly C[], best: C | undefined): GroupOrder<C> => {
    const first = pickUniform(pool, context.random);
    const unmeasuredFirst = !hasOutcomes(first, context) && latency.get(first) === undefined;
    return { candidates: [first, ...rest(first)], reason: `latency: exploring ${first.providerId} (${unmeasuredFirst ? figure(first) : versus(first, best)})` };
  };
  if (group.length === 1) return { candidates: [...group], reason: `latency: ${group[0].providerId} is the only candidate` };
  if (timed.length === 0) {
    if (unmeasured.length > 0) return exploring(unmeasured, undefined);
    const [first, second] = onlyFailed;
    return { candidates: onlyFailed, reason: `latency: chose ${first.providerId} (${versus(first, second)})` };
  }
  const best = timed[0];
  if (context.random() < EXPLORE_RATE) return exploring(unmeasured.length > 0 ? unmeasured : [...timed.slice(1), ...onlyFailed], best);
  if (timed.length === 1) {
    const other = rest(best)[0];
    return { candidates: [best, ...rest(best)], reason: `latency: chose ${best.providerId} (${versus(best, other)})` };
  }
  const speed = (candidate: C): number => 1 / Math.max(1, latency.get(candidate) as number);
  const a = pickWeighted(timed, speed, context.random);
  const b = pickWeighted(
    timed.filter((candidate) => candidate !== a),
    speed,
    context.random,
  );
  const [fast, slow] = (latency.get(a) as number) <= (latency.get(b) as number) ? [a, b] : [b, a];
  const fastMs = latency.get(fast) as number;
  const slowMs = latency.get(slow) as number;
  const tie = slowMs - fastMs <= Math.max(LATENCY_TIE_MS, fastMs * LATENCY_TIE_RATIO);
  const first = tie && context.random() < 0.5 ? slow : fast;
  const other = first === fast ? slow : fast;
  return { candidates: [first, ...rest(first)], reason: `latency: chose ${first.providerId} (${versus(first, other)}${tie ? ', a tie' : ''})` };
}

/**
 * Health first: an open circuit last, then the lower recent error rate (in ERROR_RATE_STEP
 * steps, ties by priority); EXPLORE_RATE of requests go first to another healthy-enough
 * candidate, so one that recovered is measured again.
 */
function orderByAvailability<C extends OrderableCandidate>(group: readonly C[], _policy: RoutingPolicy, context: StrategyContext<C>): GroupOrder<C> {
  const open = new Set(group.filter((candidate) => context.circuitOpen(candidate)));
  const rate = (candidate: C): number => context.stats.figures(candidate.providerId, candidate.model)?.errorRate ?? 0;
  const step = (candidate: C): number => (open.has(candidate) ? Number.POSITIVE_INFINITY : Math.round(rate(candidate) / ERROR_RATE_STEP));
  const ordered = stableSort(group, (a, b) => compareNumbers(step(a), step(b)));
  const ok = (candidate: C): string => (open.has(candidate) ? 'circuit open' : `ok ${Math.round((1 - rate(candidate)) * 100)}%`);
  const closed = ordered.filter((candidate) => !open.has(candidate));
  if (closed.length > 1 && context.random() < EXPLORE_RATE) {
    const others = closed.slice(1);
    const first = others[Math.min(others.length - 1, Math.floor(context.random() * others.length))];
    const rest = ordered.filter((candidate) => candidate !== first);
    return { candidates: [first, ...rest], reason: `availability: exploring ${first.providerId} (${ok(first)} vs ${ordered[0].providerId} ${ok(ordered[0])})` };
  }
  const [first, second] = ordered;
  return { candidates: ordered, reason: `availability: chose ${first.providerId} (${ok(first)}${second ? ` vs ${second.providerId} ${ok(second)}` : ''})` };
}

/** Whether any attempt on the candidate ended with a verdict (a success or a failure). */
function hasOutcomes<C extends OrderableCandidate>(candidate: C, context: StrategyContext<C>): boolean {
  return (context.stats.figures(candidate.providerId, candidate.model)?.outcomeSamples ?? 0) > 0;
}

function latencyOf<C extends OrderableCandidate>(candidate: C, context: StrategyContext<C>): number | undefined {
  const figures = context.stats.figures(candidate.providerId, candidate.model);
  if (!figures) return undefined;
  return context.stream ? (figures.ewmaTtftMs ?? figures.ewmaLatencyMs) : (figures.ewmaLatencyMs ?? figures.ewmaTtftMs);
}

/** One item, each as likely. */
function pickUniform<T>(items: readonly T[], random: () => number): T {
  return items[Math.min(items.length - 1, Math.floor(random() * items.length))];
}

/**
 * One item, with probability proportional to its weight (every weight > 0 and finite). The
 * weights are scaled by the largest first, so huge ones cannot overflow their sum to Infinity.
 */
export function pickWeighted<T>(items: readonly T[], weightOf: (item: T) => number, random: () => number): T {
  const largest = items.reduce((max, item) => Math.max(max, weightOf(item)), 0);
  const share = (item: T): number => weightOf(item) / largest;
  const total = items.reduce((sum, item) => sum + share(item), 0);
  let point = random() * total;
  for (const item of items) {
    point -= share(item);
    if (point < 0) return item;
  }
  return items[items.length - 1];
}

function stableSort<T>(items: readonly T[], compare: (a: T, b: T) => number): T[] {
  return items
    .map((item, index) => ({ item, index }))
    .sort((a, b) => compare(a.item, b.item) || a.index - b.index)
    .map(({ item }) => item);
}

function compareNumbers(a: number, b: number): number {
  if (a === b) return 0;
  return a < b ? -1 : 1;
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}

function usd(value: number): string {
  return Number.isFinite(value) ? `$${value.toPrecision(3)}` : 'price unknown';
}
