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
  readonly now?: () => number;
}

export interface CircuitSnapshotEntry {
  readonly key: string;
  readonly state: CircuitState;
  readonly stateValue: number;
  readonly consecutiveFailures: number;
}

interface Circuit {
  state: 'closed' | 'open' | 'probing';
  consecutiveFailures: number;
  /** true = failure, most recent last. */
  outcomes: boolean[];
  /** When it opened, or when the probe went out. */
  since: number;
  /** The last failure recorded, for panic routing's choice (0 when none). */
  lastFailureAt: number;
}

const DEFAULT_FAILURE_RATE: FailureRateOptions = { threshold: 0.5, window: 20, minimumRequests: 20 };

/** The key of one circuit: a provider serving a model. */
export function circuitKey(providerId: string, model: string): string {
  return `${providerId}/${model}`;
}

/**
 * Closed → open after N consecutive failures or a failure rate; open skips for a cooldown,
 * then half-open lets exactly one probe through: its success closes, its failure re-opens.
 * A probe that never reports is given up after another cooldown, so a circuit cannot stay
 * half-open forever.
 */
export class CircuitBreaker {
  private readonly circuits = new Map<string, Circuit>();
  private readonly consecutiveFailureLimit: number;
  private readonly failureRate: FailureRateOptions | false;
  private readonly cooldownMs: number;
  private readonly now: () => number;

  constructor(options: CircuitBreakerOptions = {}) {
    this.consecutiveFailureLimit = options.consecutiveFailures ?? 5;
    this.failureRate = options.failureRate ?? DEFAULT_FAILURE_RATE;
    this.cooldownMs = options.cooldownMs ?? 30_000;
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

  /**
   * Panic routing (Envoy): every candidate's circuit is open, so this one goes through
   * anyway as a probe; its success closes the circuit, its failure re-opens it.
   */
  forceProbe(key: string): void {
    const circuit = this.circuits.get(key);
    if (!circuit || circuit.state === 'closed') return;
    circuit.state = 'probing';
    circuit.since = this.now();
  }

  /** Whether to try this key now; true in half-open takes the one probe. */
  allow(key: string): boolean {
    const circuit = this.circuits.get(key);
    if (!circuit || circuit.state === 'closed') return true;
    if (!this.cooledDown(circuit)) return false;
    circuit.state = 'probing';
    circuit.since = this.now();
    return true;
  }

  recordSuccess(key: string): void {
    const circuit = this.circuits.get(key) ?? this.newCircuit(key);
    if (circuit.state === 'open') return;
    if (circuit.state === 'probing') {
      circuit.state = 'closed';
      circuit.outcomes = [];
    }
    circuit.consecutiveFailures = 0;
    this.remember(circuit, false);
  }

  recordFailure(key: string): void {
    const circuit = this.circuits.get(key) ?? this.newCircuit(key);
    circuit.lastFailureAt = this.now();
    if (circuit.state === 'probing') {
      this.open(circuit);
      return;
    }
    if (circuit.state === 'open') return;
    circuit.consecutiveFailures += 1;
    this.remember(circuit, true);
    if (circuit.consecutiveFailures >= this.consecutiveFailureLimit || this.failureRateReached(circuit)) {
      this.open(circuit);
    }
  }

  /**
   * The attempt ended without a verdict on the provider (the client went away, our own
   * adapter service failed, a rate limit or key failure): frees a probe, counts nothing.
   */
  recordAbandoned(key: string): void {
    const circuit = this.circuits.get(key);
    if (circuit?.state === 'probing') {
      circuit.state = 'open';
      circuit.since = this.now() - this.cooldownMs;
    }
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

  private newCircuit(key: string): Circuit {
    const circuit: Circuit = { state: 'closed', consecutiveFailures: 0, outcomes: [], since: 0, lastFailureAt: 0 };
    this.circuits.set(key, circuit);
    return circuit;
  }

  private open(circuit: Circuit): void {
    circuit.state = 'open';
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
