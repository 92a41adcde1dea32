/** Failed admin sign-ins one client address may make per window before it is refused for the rest of it. */
export const ADMIN_FAILURES_PER_WINDOW = 10;
export const ADMIN_FAILURE_WINDOW_MS = 60_000;
/** Addresses tracked at once; past it the oldest windows are dropped (a bound on memory, not on safety: a dropped address starts over). */
const MAX_TRACKED_ADDRESSES = 10_000;

interface FailureWindow {
  startedAt: number;
  failures: number;
}

/**
 * Rate-limits guessing the admin token: each client address gets ADMIN_FAILURES_PER_WINDOW
 * failures per window; past that, every admin request from it is refused (429) until the
 * window ends, whatever token it sends.
 */
export class AdminSignInGuard {
  private readonly windows = new Map<string, FailureWindow>();

  constructor(private readonly now: () => number = Date.now) {}

  /** Milliseconds until the address may try again, or 0 when it may now. */
  lockedForMs(address: string): number {
    const window = this.current(address);
    if (!window || window.failures < ADMIN_FAILURES_PER_WINDOW) return 0;
    return window.startedAt + ADMIN_FAILURE_WINDOW_MS - this.now();
  }

  recordFailure(address: string): void {
    const window = this.current(address);
    if (window) {
      window.failures++;
      return;
    }
    if (this.windows.size >= MAX_TRACKED_ADDRESSES) this.windows.delete(this.windows.keys().next().value as string);
    this.windows.set(address, { startedAt: this.now(), failures: 1 });
  }

  private current(address: string): FailureWindow | undefined {
    const window = this.windows.get(address);
    if (window && this.now() - window.startedAt >= ADMIN_FAILURE_WINDOW_MS) {
      this.windows.delete(address);
      return undefined;
    }
    return window;
  }
}
