import { periodWindow } from './budget-period';

/**
 * What one key or team has spent and holds in flight, as stored in the limits KV bucket. Every
 * replica changes it only through compare-and-set on the entry's revision (reservation.store.ts),
 * so the decisions below are taken on the latest state and never raced past.
 */
export interface LimitState {
  /** The budget period `spentUsd` belongs to (budget-period.ts); another period starts from 0. */
  period: string;
  spentUsd: number;
  /** Spend of this period by serving model and provider (bounded: MAX_BREAKDOWN_ENTRIES each). */
  byModel: Record<string, number>;
  byProvider: Record<string, number>;
  /** Fixed one-minute window of the RPM and TPM limits. */
  window: { startMs: number; requests: number; tokens: number };
  /** Admitted requests not settled yet, by the gateway's request id. */
  reservations: Record<string, Reservation>;
}

export interface Reservation {
  usd: number;
  tokens: number;
  /** After this the reservation no longer counts (its process died before settling it). */
  expiresAtMs: number;
  windowStartMs: number;
  /** On a key's reservation: the team the same request reserved against. */
  teamId?: string;
}

export interface Policy {
  budget?: { amountUsd: number; period: string };
  /** 0 or absent: no limit. */
  limits?: { rpm: number; tpm: number; concurrent: number };
}

export type LimitName = 'budget' | 'requests' | 'tokens' | 'concurrent';

export interface Refusal {
  limit: LimitName;
  /** The limit's value (USD for the budget). */
  max: number;
  remaining: number;
  /** When the limit frees up again (ms since the epoch); undefined when unknown (a budget of "total", in-flight requests). */
  resetsAtMs: number | undefined;
}

export type ReserveOutcome = { granted: true; window: WindowReport } | { granted: false; refusal: Refusal };

/** The RPM/TPM state after a grant, for the x-ratelimit-* headers. */
export interface WindowReport {
  requests?: { max: number; remaining: number };
  tokens?: { max: number; remaining: number };
  resetsAtMs: number;
}

export type LimitOperation =
  | {
      kind: 'reserve';
      requestId: string;
      usd: number;
      tokens: number;
      expiresAtMs: number;
      teamId?: string;
      policy: Policy;
      /** Requests the reserving replica answered, not yet settled: no longer in flight for the concurrency limit. */
      answered?: readonly string[];
    }
  | {
      kind: 'settle';
      requestId: string;
      costUsd: number;
      tokens: number;
      model: string;
      provider: string;
      /**
       * Until when the request's reservation cannot have expired on its own (its start plus the
       * settle grace every reservation is held for): a settlement that finds no reservation before
       * then repeats one already applied (an event delivered again), and charges nothing. 0: always charge.
       */
      reservedAtLeastUntilMs?: number;
    }
  /** Undoes a grant that never went on (the other subject refused): as if it had not been admitted. */
  | { kind: 'rollback'; requestId: string };

export type OperationResult = ReserveOutcome | { settled: true; reservation: Reservation | undefined } | { settled: false; repeated: true } | { rolledBack: boolean };

export const WINDOW_MS = 60_000;
/** Reservations one entry holds: each costs ~100 bytes of the entry every compare-and-set rewrites. */
export const MAX_RESERVATIONS = 2_000;
/** Distinct models or providers in a spend breakdown; the rest is summed under "other". */
export const MAX_BREAKDOWN_ENTRIES = 100;
/** Float sums of prices may land a hair above a budget they exactly fill. */
const USD_EPSILON = 1e-9;

export function emptyState(period: string, nowMs: number): LimitState {
  return { period, spentUsd: 0, byModel: {}, byProvider: {}, window: { startMs: windowStart(nowMs), requests: 0, tokens: 0 }, reservations: {} };
}

export function windowStart(nowMs: number): number {
  return Math.floor(nowMs / WINDOW_MS) * WINDOW_MS;
}

/** Drops expired reservations, rolls the minute window and the budget period the spend is kept in. */
export function refresh(state: LimitState, nowMs: number): void {
  rollPeriod(state, state.period.split(':')[0], nowMs);
  for (const [id, reservation] of Object.entries(state.reservations)) {
    if (reservation.expiresAtMs <= nowMs) delete state.reservations[id];
  }
  const start = windowStart(nowMs);
  if (state.window.startMs !== start) state.window = { startMs: start, requests: 0, tokens: 0 };
}

function rollPeriod(state: LimitState, budgetPeriod: string, nowMs: number): void {
  const { key } = periodWindow(budgetPeriod, nowMs);
  if (state.period !== key) {
    state.period = key;
    state.spentUsd = 0;
    state.byModel = {};
    state.byProvider = {};
  }
}

export function reservedUsd(state: LimitState): number {
  return Object.values(state.reservations).reduce((sum, r) => sum + r.usd, 0);
}

/** Applies one operation to the state (mutating it) and says what came of it. */
export function applyOperation(state: LimitState, op: LimitOperation, nowMs: number): OperationResult {
  refresh(state, nowMs);
  if (op.kind === 'reserve') return reserve(state, op, nowMs);
  if (op.kind === 'settle') return settle(state, op, nowMs);
  return rollback(state, op.requestId);
}

function reserve(state: LimitState, op: Extract<LimitOperation, { kind: 'reserve' }>, nowMs: number): ReserveOutcome {
  const { budget, limits } = op.policy;
  if (budget) rollPeriod(state, budget.period, nowMs);
  const windowEnd = state.window.startMs + WINDOW_MS;
  const rpm = limits?.rpm ?? 0;
  const tpm = limits?.tpm ?? 0;
  // The same reservation again: a write retried after a timeout that had in fact landed. It holds
  // its slot already; counting it twice would refuse the request against itself and leak the slot.
  if (state.reservations[op.requestId]) return granted(state, rpm, tpm, windowEnd);
  const reservations = Object.keys(state.reservations);
  const answered = new Set(op.answered ?? []);
  const inFlight = answered.size === 0 ? reservations.length : reservations.filter((id) => !answered.has(id)).length;
  const concurrent = limits?.concurrent ?? 0;
  if ((concurrent > 0 && inFlight + 1 > concurrent) || reservations.length >= MAX_RESERVATIONS) {
    const max = concurrent > 0 ? Math.min(concurrent, MAX_RESERVATIONS) : MAX_RESERVATIONS;
    return refused({ limit: 'concurrent', max, remaining: Math.max(0, max - inFlight), resetsAtMs: undefined });
  }
  if (rpm > 0 && state.window.requests + 1 > rpm) {
    return refused({ limit: 'requests', max: rpm, remaining: Math.max(0, rpm - state.window.requests), resetsAtMs: windowEnd });
  }
  if (tpm > 0 && state.window.tokens + op.tokens > tpm) {
    return refused({ limit: 'tokens', max: tpm, remaining: Math.max(0, tpm - state.window.tokens), resetsAtMs: windowEnd });
  }
  if (budget) {
    const committed = state.spentUsd + reservedUsd(state);
    if (committed + op.usd > budget.amountUsd + USD_EPSILON) {
      return refused({ limit: 'budget', max: budget.amountUsd, remaining: Math.max(0, budget.amountUsd - committed), resetsAtMs: periodWindow(budget.period, nowMs).resetsAtMs });
    }
  }
  state.window.requests += 1;
  state.window.tokens += op.tokens;
  state.reservations[op.requestId] = {
    usd: op.usd,
    tokens: op.tokens,
    expiresAtMs: op.expiresAtMs,
    windowStartMs: state.window.startMs,
    ...(op.teamId ? { teamId: op.teamId } : {}),
  };
  return granted(state, rpm, tpm, windowEnd);
}

function granted(state: LimitState, rpm: number, tpm: number, windowEnd: number): ReserveOutcome {
  return {
    granted: true,
    window: {
      ...(rpm > 0 ? { requests: { max: rpm, remaining: Math.max(0, rpm - state.window.requests) } } : {}),
      ...(tpm > 0 ? { tokens: { max: tpm, remaining: Math.max(0, tpm - state.window.tokens) } } : {}),
      resetsAtMs: windowEnd,
    },
  };
}

function refused(refusal: Refusal): ReserveOutcome {
  return { granted: false, refusal };
}

/**
 * The request's actual cost joins the period's spend, whether or not its reservation is still
 * there (late events count too), once: a settlement that finds no reservation while it cannot
 * have expired yet is one applied before (JetStream delivers again an event whose acknowledgement
 * was lost, or whose team settlement failed after its key's), and changes nothing.
 */
function settle(state: LimitState, op: Extract<LimitOperation, { kind: 'settle' }>, nowMs: number): OperationResult {
  const reservation = state.reservations[op.requestId];
  if (!reservation && nowMs < (op.reservedAtLeastUntilMs ?? 0)) return { settled: false, repeated: true };
  delete state.reservations[op.requestId];
  if (reservation && reservation.windowStartMs === state.window.startMs) {
    state.window.tokens = Math.max(0, state.window.tokens - reservation.tokens + op.tokens);
  }
  if (op.costUsd > 0) {
    state.spentUsd += op.costUsd;
    addTo(state.byModel, op.model || 'unknown', op.costUsd);
    addTo(state.byProvider, op.provider || 'unknown', op.costUsd);
  }
  return { settled: true, reservation };
}

function rollback(state: LimitState, requestId: string): OperationResult {
  const reservation = state.reservations[requestId];
  if (!reservation) return { rolledBack: false };
  delete state.reservations[requestId];
  if (reservation.windowStartMs === state.window.startMs) {
    state.window.requests = Math.max(0, state.window.requests - 1);
    state.window.tokens = Math.max(0, state.window.tokens - reservation.tokens);
  }
  return { rolledBack: true };
}

function addTo(breakdown: Record<string, number>, name: string, usd: number): void {
  const known = name in breakdown || Object.keys(breakdown).length < MAX_BREAKDOWN_ENTRIES - 1;
  const key = known ? name : 'other';
  breakdown[key] = (breakdown[key] ?? 0) + usd;
}
