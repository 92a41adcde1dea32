// Graceful drain on SIGTERM, in the order a Kubernetes rollout needs it: readiness fails at once
// (the pod is leaving the endpoints), requests are still served for the endpoint grace period
// (the time an endpoint removal takes to reach every kube-proxy and load balancer), then new
// requests are refused while in-flight ones (streams included) finish up to the drain timeout,
// then the rest is cut.

/** Variables of every service: its drain on SIGTERM. */
export const DRAIN_ENV = {
  /** Time between failing readiness and refusing new requests: an endpoint update's propagation. */
  DRAIN_GRACE_MS: { type: 'int', default: 5_000, min: 0, max: 600_000 },
  /** Time in-flight requests and streams get to finish once new ones are refused; the rest is cut. */
  DRAIN_TIMEOUT_MS: { type: 'int', default: 25_000, min: 0, max: 3_600_000 },
} as const;

export interface DrainLimits {
  readonly graceMs: number;
  readonly timeoutMs: number;
}

/** What close() (tests, a start that failed) uses: no grace, in-flight calls get 5 s. */
export const IMMEDIATE_DRAIN: DrainLimits = { graceMs: 0, timeoutMs: 5_000 };

/**
 * Time a service takes after its drain to release what it holds (usage events flushed, NATS
 * drained: each bounded below this); runService exits by force after grace + timeout + this.
 */
export const RELEASE_BOUND_MS = 5_000;

export function drainLimits(config: { readonly DRAIN_GRACE_MS: number; readonly DRAIN_TIMEOUT_MS: number }): DrainLimits {
  return { graceMs: config.DRAIN_GRACE_MS, timeoutMs: config.DRAIN_TIMEOUT_MS };
}

/** The steps of one server's drain; `drain()` takes them in this order. */
export interface DrainSteps {
  /** Readiness fails; requests are still served. */
  unready(): void;
  /** New requests are refused; resolves once every in-flight request finished. */
  refuseNew(): Promise<void>;
  /** Ends what is still in flight when the timeout passed. */
  cut(): void | Promise<void>;
}

export type DrainOutcome = 'drained' | 'cut';

/** Runs the phases of a drain: unready, grace, refuse new requests, wait for in-flight ones up to the timeout, cut. */
export async function drain(limits: DrainLimits, steps: DrainSteps, onPhase: (phase: 'grace' | 'refusing') => void = () => undefined): Promise<DrainOutcome> {
  steps.unready();
  onPhase('grace');
  if (limits.graceMs > 0) await new Promise((resolve) => setTimeout(resolve, limits.graceMs));
  onPhase('refusing');
  let timer: NodeJS.Timeout | undefined;
  const outcome = await Promise.race([
    steps.refuseNew().then((): DrainOutcome => 'drained'),
    new Promise<DrainOutcome>((resolve) => (timer = setTimeout(() => resolve('cut'), limits.timeoutMs))),
  ]);
  clearTimeout(timer);
  if (outcome === 'cut') await steps.cut();
  return outcome;
}
