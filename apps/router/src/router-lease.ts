import { performance } from 'node:perf_hooks';

export interface RouterLeaseTiming {
  /** How long key-vault counts a lease as held after the renewal was written (ROUTER_LEASE_TTL_MS). */
  ttlMs: number;
  /** How much earlier than that this router stops using its keys (ROUTER_LEASE_SAFETY_MS). */
  safetyMs: number;
}

/**
 * This router's lease in NATS (bucket gateway_router_leases), as far as using keys goes. The
 * lease is valid until `sent + ttl - safety`, where `sent` is when the last successful renewal
 * was *sent*: nats-server writes the entry later than that, and key-vault counts the TTL from
 * the write, so this router always stops using its keys before key-vault may stop waiting for
 * its acknowledgement. Time is monotonic (a wall-clock jump moves nothing here).
 */
export class RouterLease {
  private validUntil = Number.NEGATIVE_INFINITY;
  private failure: string | undefined;

  constructor(
    private readonly write: () => Promise<void>,
    private readonly timing: RouterLeaseTiming,
    private readonly now: () => number = () => performance.now(),
    /** Gives the lease back in NATS (a graceful stop), so no revocation waits for this replica. */
    private readonly giveBack: () => Promise<void> = async () => undefined,
  ) {}

  /** Writes a renewal; true when it was written (and the lease extended). */
  async renew(): Promise<boolean> {
    const sent = this.now();
    try {
      await this.write();
    } catch (error) {
      this.failure = error instanceof Error ? error.message.slice(0, 200) : 'unknown error';
      return false;
    }
    this.validUntil = Math.max(this.validUntil, sent + this.timing.ttlMs - this.timing.safetyMs);
    return this.valid();
  }

  /** For the warning when the lease lapses: how long since the last renewal that succeeded was sent, and why the last one failed. */
  lapse(): { sinceRenewalMs?: number; lastFailure?: string } {
    const renewedAt = this.validUntil - (this.timing.ttlMs - this.timing.safetyMs);
    return { ...(Number.isFinite(renewedAt) ? { sinceRenewalMs: Math.round(this.now() - renewedAt) } : {}), ...(this.failure ? { lastFailure: this.failure } : {}) };
  }

  valid(): boolean {
    return this.now() < this.validUntil;
  }

  /** Ends the lease at once (stop): nothing here may use keys after it, and key-vault stops waiting for it. */
  end(): void {
    this.validUntil = Number.NEGATIVE_INFINITY;
    void this.giveBack().catch(() => undefined);
  }
}
