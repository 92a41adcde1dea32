import type { Attempt, ResolvedKey, Usage } from '@ai-gateway/proto';
import type { CircuitPass, RouteCandidate } from '@ai-gateway/routing';
import type { AttemptTrace } from './attempt.trace';

/**
 * What the provider reported while a leg ran (a loser's tokens, if any), and, once the leg lost,
 * its attempt record: a unary answer landing just after the leg was cancelled still adds its
 * tokens there (they were billed), as long as the request's usage event is not built yet.
 */
export interface ObservedUsage {
  usage?: Usage;
  lostAttempt?: Attempt;
}

/** One upstream attempt of a request: alone, or one of two hedged legs. */
export interface Leg {
  readonly candidate: RouteCandidate;
  readonly key: ResolvedKey;
  readonly breakerKey: string;
  /** Its pass through the circuit (the probe, when it holds it), handed back with its outcome. */
  readonly pass: CircuitPass;
  readonly trace: AttemptTrace;
  /** Aborted when the client leaves or when this leg loses its race: the provider request stops. */
  readonly signal: AbortSignal;
  readonly observed: ObservedUsage;
  /** True once the leg's attempt ended (answered, failed, or lost). */
  settled: boolean;
  /** Cancelled because the other leg answered first. */
  lost: boolean;
  /** The second leg, started after the hedge delay. */
  readonly isHedge: boolean;
  readonly cancel: () => void;
}

export type LegOutcome<T> = { ok: true; result: T } | { ok: false; error: unknown };

/**
 * Who answers first among a request's legs. An attempt claims the answer at its first byte
 * (a unary answer, a stream's first content chunk); the first claim wins and every other leg
 * is cancelled at once, its provider request aborted. A request without a hedge has one leg,
 * whose claim always succeeds.
 */
export class HedgeRace {
  private readonly legs: Leg[] = [];
  private winner: Leg | undefined;

  constructor(private readonly onLost: (leg: Leg, winner: Leg) => void) {}

  get hedged(): boolean {
    return this.legs.some((leg) => leg.isHedge);
  }

  join(leg: Leg): void {
    this.legs.push(leg);
  }

  /** The leg's bid for the answer: true when it is (or becomes) the winner. */
  claim(leg: Leg): boolean {
    if (this.winner) return this.winner === leg;
    this.winner = leg;
    for (const other of this.legs) {
      if (other === leg || other.settled) continue;
      other.lost = true;
      other.settled = true;
      this.onLost(other, leg);
      other.cancel();
    }
    return true;
  }

  claimed(): boolean {
    return this.winner !== undefined;
  }
}

export interface RaceEnd<T> {
  /** The leg that decides the request: the winner, or (nobody answered) the first leg. */
  leg: Leg;
  outcome: LegOutcome<T>;
  /** Legs that failed while another still ran, oldest first: recorded, but they decide nothing. */
  earlier: Array<{ leg: Leg; error: unknown }>;
}

export interface HedgeTrigger {
  /** After this long without a first byte on the first leg, the hedge may start. */
  afterMs: number;
  /** Starts the second leg, or undefined when none may start (budget spent, no other candidate or key). */
  start: () => { leg: Leg; done: Promise<unknown> } | undefined;
}

/**
 * Runs the first leg, starts the hedge when it has no first byte after `trigger.afterMs`, and
 * waits until a leg answers or every leg failed. A leg failing while the other runs is waited
 * out; the loser's own rejection (its cancellation) is ignored.
 */
export function runRace<T>(race: HedgeRace, first: Leg, firstDone: Promise<T>, trigger: HedgeTrigger | undefined, signal: AbortSignal): Promise<RaceEnd<T>> {
  return new Promise<RaceEnd<T>>((resolve) => {
    const running = new Set<Leg>([first]);
    const earlier: RaceEnd<T>['earlier'] = [];
    let ended = false;
    const end = (value: RaceEnd<T>): void => {
      if (ended) return;
      ended = true;
      clearTimeout(timer);
      resolve(value);
    };
    const watch = (leg: Leg, done: Promise<unknown>): void => {
      done.then(
        (result) => {
          running.delete(leg);
          leg.settled = true;
          if (!leg.lost) end({ leg, outcome: { ok: true, result: result as T }, earlier });
        },
        (error: unknown) => {
          running.delete(leg);
          if (leg.lost) return;
          leg.settled = true;
          if (race.claimed()) return end({ leg, outcome: { ok: false, error }, earlier });
          earlier.push({ leg, error });
          if (running.size > 0) return;
          // Every leg failed: the first leg's failure decides, as it would without a hedge.
          const own = earlier.find((entry) => entry.leg === first) ?? { leg: first, error };
          end({ leg: first, outcome: { ok: false, error: own.error }, earlier: earlier.filter((entry) => entry !== own) });
        },
      );
    };
    // Promise callbacks run later: `timer` is set before `end` can read it.
    const timer = trigger
      ? setTimeout(() => {
          if (race.claimed() || !running.has(first) || signal.aborted) return;
          const hedge = trigger.start();
          if (!hedge) return;
          running.add(hedge.leg);
          watch(hedge.leg, hedge.done);
        }, trigger.afterMs)
      : undefined;
    watch(first, firstDone);
  });
}
