// Supervision of the dev stack's children, as Kubernetes restarts a container: a process that
// exits while the stack runs is logged and started again after a backoff that doubles from 0.5 s
// to 10 s and starts over once the process stayed up 30 s (CrashLoopBackOff, shorter: a
// development stack should come back fast). Stopping is explicit: signal() ends supervision.

/** Backoff of restarts: initial delay, doubling up to max, back to initial after `resetAfterMs` of uptime. */
export const RESTART_POLICY = Object.freeze({ initialMs: 500, maxMs: 10_000, resetAfterMs: 30_000 });

/**
 * One supervised service. `spawn()` starts a process and returns a Child (child.mjs) or anything
 * with its shape: `exited` (a promise of {code, signal}), `alive`, `signal(name)`, `describeExit()`,
 * `lastLines()`, `process`.
 */
export class Supervised {
  /**
   * @param {{name: string, stage?: number, spawn: () => import('./child.mjs').Child,
   *   policy?: typeof RESTART_POLICY, log: (message: string) => void,
   *   onRestarted?: (supervised: Supervised) => void,
   *   onUnsupervisedExit?: (supervised: Supervised) => void}} options
   *   onUnsupervisedExit: an exit before supervise() was called (a service that never came up)
   */
  constructor({ name, stage = 0, spawn, policy = RESTART_POLICY, log, onRestarted = () => undefined, onUnsupervisedExit = () => undefined }) {
    this.name = name;
    this.stage = stage;
    this.spawnChild = spawn;
    this.policy = policy;
    this.log = log;
    this.onRestarted = onRestarted;
    this.onUnsupervisedExit = onUnsupervisedExit;
    this.supervising = false;
    this.stopped = false;
    this.restarts = 0;
    this.delayMs = policy.initialMs;
    this.timer = undefined;
    this.launch();
  }

  launch() {
    this.startedAt = Date.now();
    this.child = this.spawnChild();
    const child = this.child;
    void child.exited.then(() => this.onExit(child));
  }

  onExit(child) {
    if (this.stopped || child !== this.child) return;
    if (!this.supervising) return void this.onUnsupervisedExit(this);
    const uptime = Date.now() - this.startedAt;
    if (uptime >= this.policy.resetAfterMs) this.delayMs = this.policy.initialMs;
    const delay = this.delayMs;
    this.delayMs = Math.min(this.delayMs * 2, this.policy.maxMs);
    this.restarts++;
    this.log(
      `${this.name} ${child.describeExit()} unexpectedly after ${(uptime / 1000).toFixed(1)} s; restarting in ${(delay / 1000).toFixed(1)} s (restart ${this.restarts}). Last lines:\n${child.lastLines()}`,
    );
    this.timer = setTimeout(() => {
      this.timer = undefined;
      if (this.stopped) return;
      this.launch();
      this.onRestarted(this);
    }, delay);
  }

  /** Restart this service whenever it exits from now on. */
  supervise() {
    this.supervising = true;
  }

  /** The current process (or the last one, while a restart is pending). */
  get process() {
    return this.child.process;
  }

  /** A process runs, or a restart is pending. */
  get alive() {
    return this.child.alive || this.timer !== undefined;
  }

  /** Resolves once the current process exited (at once when a restart was pending and signal() cancelled it). */
  get exited() {
    return this.child.exited;
  }

  describeExit() {
    return this.child.describeExit();
  }

  lastLines() {
    return this.child.lastLines();
  }

  waitReady(check, timeoutMs) {
    return this.child.waitReady(check, timeoutMs);
  }

  get readyLogged() {
    return this.child.readyLogged;
  }

  /** Ends supervision (no restart, a pending one cancelled) and signals the running process. */
  signal(name) {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.child.signal(name);
  }
}
