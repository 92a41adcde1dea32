import type { EventEmitter } from 'node:events';

/**
 * The lifetime of one upstream request: aborted when the provider does not answer within
 * the attempt's timeout, or when the router cancels the gRPC call (its client left or its
 * attempt timer fired). The timeout bounds the wait for the answer, not a stream's length:
 * once the provider answered, undici's body timeout ends a stream that goes silent.
 */
export class UpstreamAttempt {
  private readonly controller = new AbortController();
  private readonly timer: NodeJS.Timeout;
  private readonly onCancelled = (): void => this.cancel();

  constructor(
    timeoutMs: number,
    private readonly call?: Pick<EventEmitter, 'on' | 'off'>,
  ) {
    this.timer = setTimeout(() => this.abort('timeout'), timeoutMs);
    call?.on('cancelled', this.onCancelled);
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** The provider answered (headers received): the attempt timeout no longer applies. */
  answered(): void {
    clearTimeout(this.timer);
  }

  cancel(): void {
    this.abort('cancelled');
  }

  /** Releases the timer and the cancellation listener. */
  done(): void {
    clearTimeout(this.timer);
    this.call?.off('cancelled', this.onCancelled);
  }

  private abort(reason: 'timeout' | 'cancelled'): void {
    if (!this.controller.signal.aborted) this.controller.abort(reason);
  }
}
