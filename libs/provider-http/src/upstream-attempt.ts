import type { AttemptLimits } from './adapter-request';
import type { AbortReason, TimeoutPhase } from './upstream.client';

/**
 * The lifetime of one upstream request: aborted when a time limit of the attempt runs out
 * (headers, first token, idle gap — whichever phase the answer is in), or when the caller's
 * signal aborts (its client left or its own deadline fired; in service mode the gRPC call's
 * 'cancelled' event aborts it, see serveProviderAdapter). The signal's reason says
 * which, so the failure is classified where it is first seen.
 */
export class UpstreamAttempt {
  private readonly controller = new AbortController();
  private timer: NodeJS.Timeout | undefined;
  private readonly deadlineTimer: NodeJS.Timeout | undefined;
  private phase: Exclude<TimeoutPhase, 'deadline'> = 'headers';
  private finished = false;
  private readonly onCancelled = (): void => this.cancel();

  constructor(
    readonly limits: AttemptLimits,
    private readonly caller?: AbortSignal,
  ) {
    this.arm('headers');
    if (limits.deadlineUnixMs > 0) {
      const left = Math.max(0, limits.deadlineUnixMs - Date.now());
      this.deadlineTimer = setTimeout(() => this.abort({ kind: 'timeout', phase: 'deadline', limitMs: left }), left);
    }
    if (caller?.aborted) this.cancel();
    else caller?.addEventListener('abort', this.onCancelled, { once: true });
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** The provider answered (headers received): the first-token limit runs for a stream, the idle limit for a body. */
  answered(stream: boolean): void {
    this.arm(stream ? 'first_token' : 'idle');
  }

  /** The stream's first content reached us: from now on only silence between pieces is limited. */
  firstToken(): void {
    if (this.phase === 'first_token') this.arm('idle');
  }

  /** A piece of the answer arrived: restarts the idle gap (not the first-token limit: pings are not tokens). */
  progress(): void {
    if (this.phase === 'idle' && !this.finished) this.timer?.refresh();
  }

  /**
   * Waits on our own reader (backpressure), not on the provider: the provider's time limit is
   * suspended meanwhile and restarts in full afterwards, so a slow client never reads as a
   * stalled provider.
   */
  async holdFor(wait: Promise<void>): Promise<void> {
    clearTimeout(this.timer);
    try {
      await wait;
    } finally {
      if (!this.controller.signal.aborted) this.arm(this.phase);
    }
  }

  cancel(): void {
    this.abort({ kind: 'cancelled' });
  }

  /** Releases the timer and the cancellation listener. */
  done(): void {
    this.finished = true;
    clearTimeout(this.timer);
    clearTimeout(this.deadlineTimer);
    this.timer = undefined;
    this.caller?.removeEventListener('abort', this.onCancelled);
  }

  private arm(phase: Exclude<TimeoutPhase, 'deadline'>): void {
    if (this.finished) return;
    clearTimeout(this.timer);
    this.phase = phase;
    const limitMs = phase === 'headers' ? this.limits.headersMs : phase === 'first_token' ? this.limits.firstTokenMs : this.limits.idleMs;
    this.timer = setTimeout(() => this.abort({ kind: 'timeout', phase, limitMs }), limitMs);
  }

  private abort(reason: AbortReason): void {
    clearTimeout(this.timer);
    clearTimeout(this.deadlineTimer);
    if (!this.controller.signal.aborted) this.controller.abort(reason);
  }
}
