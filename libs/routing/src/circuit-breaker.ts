export type CircuitState = 'closed' | 'open' | 'half_open';

/** The numeric form for a gauge metric, by severity: the worst replica wins under max(). */
export const CIRCUIT_STATE_VALUE: Readonly<Record<CircuitState, number>> = { closed: 0, half_open: 1, open: 2 };

export interface FailureRateOptions {
  /** Opens when failures / outcomes in the window reach this share (0–1). */
  readonly threshold: number;
  /** The last this many outcomes. */
  readonly window: number;
  /** No rate decision before this many outcomes in the window. */
  readonly minimumRequests: number;
}

export interface CircuitBreakerOptions {
  /** Consecutive failures that open the circuit; default 5. */
  readonly consecutiveFailures?: number;
  /** Default 0.5 over the last 20 outcomes; false turns the rate rule off. */
  readonly failureRate?: FailureRateOptions | false;
  /** How long an open circuit skips before letting a probe through; default 30 s. */
  readonly cooldownMs?: number;
  /** Circuits kept at most; default CIRCUIT_MAX_ENTRIES. */
  readonly maxCircuits?: number;
  readonly now?: () => number;
}

export interface CircuitSnapshotEntry {
  readonly key: string;
  readonly state: CircuitState;
  readonly stateValue: number;
  readonly consecutiveFailures: number;
}

/**
 * A request's pass through a circuit, from `allow` or `forceProbe`, handed back with its
 * outcome. `probe` is the token of the circuit's one probe when this pass is it, else 0: only
 * the probe's holder settles it (its success closes, its failure re-opens) or abandons it.
 */
export interface CircuitPass {
  readonly probe: number;
}

/** A pass through a closed circuit: its outcome counts, it holds no probe. */
export const CLOSED_CIRCUIT_PASS: CircuitPass = { probe: 0 };

interface Circuit {
  state: 'closed' | 'open' | 'probing';
  /**
   * The token of the last probe let through, until the circuit closes or opens anew: in flight
   * while probing; kept after it failed or was freed, so its hedged twin's success still closes.
   */
  probe: number;
  consecutiveFailures: number;
  /** true = failure, most recent last. */
  outcomes: boolean[];
  /** When it opened, or when the probe went out. */
  since: number;
  /** The last failure recorded, for panic routing's choice (0 when none). */
  lastFailureAt: number;
}

const DEFAULT_FAILURE_RATE: FailureRateOptions = { threshold: 0.5, window: 20, minimumRequests: 20 };

/**
 * Circuits kept at most, as ProviderStats keeps its entries: a client picks the model name of
 * `provider/<model>`, so without a bound every made-up name would add a circuit (and a gauge series).
 * Beyond it the least recently fed closed circuit is dropped; an open or probing one only when
 * every circuit is.
 */
export const CIRCUIT_MAX_ENTRIES = 1_024;

/** The key of one circuit: a provider serving a model. */
export function circuitKey(providerId: string, model: string): string {
  return `${providerId}/${model}`;
}

/**
 * Closed → open after N consecutive failures or a failure rate; open skips for a cooldown,
 * then half-open lets exactly one probe through: its success closes, its failure re-opens.
 * Only the probe's holder (its CircuitPass) settles or frees it; the outcomes of requests let
 * through before the circuit opened change nothing until it closes again. A probe that never
 * reports is given up after another cooldown, so a circuit cannot stay half-open forever.
 */
export class CircuitBreaker {
  /** Insertion order is recency order: a circuit is moved to the end when fed. */
  private readonly circuits = new Map<string, Circuit>();
  private readonly consecutiveFailureLimit: number;
  private readonly failureRate: FailureRateOptions | false;
  private readonly cooldownMs: number;
  private readonly maxCircuits: number;
  private readonly now: () => number;
  private lastProbe = 0;

  constructor(options: CircuitBreakerOptions = {}) {
    this.consecutiveFailureLimit = options.consecutiveFailures ?? 5;
    this.failureRate = options.failureRate ?? DEFAULT_FAILURE_RATE;
    this.cooldownMs = options.cooldownMs ?? 30_000;
    this.maxCircuits = options.maxCircuits ?? CIRCUIT_MAX_ENTRIES;
    this.now = options.now ?? Date.now;
  }

  state(key: string): CircuitState {
    const circuit = this.circuits.get(key);
    if (!circuit || circuit.state === 'closed') return 'closed';
    if (circuit.state === 'probing') return 'half_open';
    return this.cooledDown(circuit) ? 'half_open' : 'open';
  }

  stateValue(key: string): number {
    return CIRCUIT_STATE_VALUE[this.state(key)];
  }

  /**
   * Whether `allow` would let a request through now, without taking the probe: closed, or
   * open past its cooldown, or a probe given up on.
   */
  available(key: string): boolean {
    const circuit = this.circuits.get(key);
    return !circuit || circuit.state === 'closed' || this.cooledDown(circuit);
  }

  /** When the key last failed; 0 when it never did. Panic routing picks the oldest. */
  lastFailureAt(key: string): number {
    return this.circuits.get(key)?.lastFailureAt ?? 0;
  }

  /** How long until the circuit lets a probe through again (its cooldown, or a probe's give-up); 0 when it would now. */
  cooldownLeftMs(key: string): number {
    const circuit = this.circuits.get(key);
    if (!circuit || circuit.state === 'closed') return 0;
    return Math.max(0, circuit.since + this.cooldownMs - this.now());
  }

  /**
   * Panic routing (Envoy): every candidate's circuit is open, so this one goes through anyway
   * as the probe, before its cooldown ends; its success closes the circuit, its failure re-opens
   * it. Undefined while a probe is in flight: that one decides, no second request goes through.
   */
  forceProbe(key: string): CircuitPass | undefined {
    const circuit = this.circuits.get(key);
    if (!circuit || circuit.state === 'closed') return CLOSED_CIRCUIT_PASS;
    if (circuit.state === 'probing' && !this.cooledDown(circuit)) return undefined;
    return this.startProbe(circuit);
  }

  /** A pass to try this key now, or undefined; in half-open the pass is the one probe. */
  allow(key: string): CircuitPass | undefined {
    const circuit = this.circuits.get(key);
    if (!circuit || circuit.state === 'closed') return CLOSED_CIRCUIT_PASS;
    if (!this.cooledDown(circuit)) return undefined;
    return this.startProbe(circuit);
  }

  /** Closes the circuit when the pass is its probe's, even once that probe's other leg re-opened it. */
  recordSuccess(key: string, pass: CircuitPass = CLOSED_CIRCUIT_PASS): void {
    const circuit = this.fed(key);
    if (circuit.state !== 'closed') {
      if (pass.probe === 0 || pass.probe !== circuit.probe) return;
      circuit.state = 'closed';
      circuit.probe = 0;
      circuit.outcomes = [];
    }
    circuit.consecutiveFailures = 0;
    this.remember(circuit, false);
  }

  recordFailure(key: string, pass: CircuitPass = CLOSED_CIRCUIT_PASS): void {
    const circuit = this.fed(key);
    circuit.lastFailureAt = this.now();
    if (this.holdsProbe(circuit, pass)) {
      this.open(circuit);
      // Kept: the probe's hedged twin on another key of the provider may still answer, and close it.
      circuit.probe = pass.probe;
      return;
    }
    if (circuit.state !== 'closed') return;
    circuit.consecutiveFailures += 1;
    this.remember(circuit, true);
    if (circuit.consecutiveFailures >= this.consecutiveFailureLimit || this.failureRateReached(circuit)) {
      this.open(circuit);
    }
  }

  /**
   * The attempt ended without a verdict on the provider (the client went away, our own
   * adapter service failed, a rate limit or key failure): counts nothing, and frees the probe
   * when the pass holds it, so the next request probes at once.
   */
  recordAbandoned(key: string, pass: CircuitPass = CLOSED_CIRCUIT_PASS): void {
    const circuit = this.circuits.get(key);
    if (circuit && this.holdsProbe(circuit, pass)) {
      circuit.state = 'open';
      circuit.since = this.now() - this.cooldownMs;
    }
  }

  /** Drops the circuits of providers no longer configured (a key is `<provider id>/<model>`). */
  retainProviders(providerIds: ReadonlySet<string>): void {
    for (const key of this.circuits.keys()) if (!providerIds.has(providerOf(key))) this.circuits.delete(key);
  }

  snapshot(): CircuitSnapshotEntry[] {
    return [...this.circuits].map(([key, circuit]) => {
      const state = this.state(key);
      return { key, state, stateValue: CIRCUIT_STATE_VALUE[state], consecutiveFailures: circuit.consecutiveFailures };
    });
  }

  private cooledDown(circuit: Circuit): boolean {
    return this.now() - circuit.since >= this.cooldownMs;
  }

  private startProbe(circuit: Circuit): CircuitPass {
    this.lastProbe += 1;
    circuit.state = 'probing';
    circuit.probe = this.lastProbe;
    circuit.since = this.now();
    return { probe: circuit.probe };
  }

  private holdsProbe(circuit: Circuit, pass: CircuitPass): boolean {
    return circuit.state === 'probing' && pass.probe !== 0 && pass.probe === circuit.probe;
  }

  /** The key's circuit, created if new, moved to the recent end; the bound is kept. */
  private fed(key: string): Circuit {
    const circuit: Circuit = this.circuits.get(key) ?? { state: 'closed', probe: 0, consecutiveFailures: 0, outcomes: [], since: 0, lastFailureAt: 0 };
    this.circuits.delete(key);
    this.circuits.set(key, circuit);
    while (this.circuits.size > this.maxCircuits) this.circuits.delete(this.leastValuable(key));
    return circuit;
  }

  /** The least recently fed closed circuit other than `fed`; the least recently fed of all when none is closed. */
  private leastValuable(fed: string): string {
    let oldest: string | undefined;
    for (const [key, circuit] of this.circuits) {
      if (key === fed) continue;
      if (circuit.state === 'closed') return key;
      oldest ??= key;
    }
    return oldest ?? fed;
  }

  private open(circuit: Circuit): void {
    circuit.state = 'open';
    circuit.probe = 0;
    circuit.since = this.now();
    circuit.outcomes = [];
  }

  private remember(circuit: Circuit, failed: boolean): void {
    if (!this.failureRate) return;
    circuit.outcomes.push(failed);
    if (circuit.outcomes.length > this.failureRate.window) circuit.outcomes.shift();
  }

  private failureRateReached(circuit: Circuit): boolean {
    if (!this.failureRate || circuit.outcomes.length < this.failureRate.minimumRequests) return false;
    const failures = circuit.outcomes.filter(Boolean).length;
    return failures / circuit.outcomes.length >= this.failureRate.threshold;
  }
}

function providerOf(key: string): string {
  const slash = key.indexOf('/');
  return slash < 0 ? key : key.slice(0, slash);
}
