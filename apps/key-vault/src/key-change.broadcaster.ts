import { randomUUID } from 'node:crypto';
import { createInbox, type NatsConnection } from '@nats-io/nats-core';
import { KEY_CHANGES_SUBJECT, mirrorKv, type KeyChangeAck, type KeyChangeAnnouncement, type KV, type KvEntry, type RouterLease } from '@ai-gateway/nats';
import type { Logger } from 'pino';

export class RevocationTimeoutError extends Error {
  constructor(readonly unconfirmed: string[]) {
    super(`router replicas did not confirm dropping the key in time: ${unconfirmed.join(', ')}`);
    this.name = 'RevocationTimeoutError';
  }
}

/** Re-sends an unconfirmed announcement this often: a router that reconnected to NATS meanwhile still gets it. */
const RESEND_MS = 250;
/** How long a revocation waits for the lease watch to catch up before it reads the leases from the bucket. */
const CATCH_UP_WAIT_MS = 1_000;

/**
 * Announces key changes on NATS (KEY_CHANGES_SUBJECT) and waits until every router replica that
 * held an unexpired lease (bucket gateway_router_leases) when the change was committed has
 * confirmed it. Any key-vault replica can do this: no router is connected to one replica.
 *
 * A router whose lease runs out stops using its keys before the lease's expiry as judged here
 * (it counts from when it sent its renewal, minus a safety margin), so a router that stopped
 * renewing is no longer waited on once its lease expired. A router that acquires a lease after
 * the listing resolves its keys after the change was committed, so it never held the old key.
 */
export class KeyChangeBroadcaster {
  /** Lease key → when it expires (nats-server's write time + its TTL), followed from a KV watch. */
  private readonly leaseExpiry = new Map<string, number>();
  /** Lease key → the bucket revision its expiry came from: a late copy from the watch never undoes a newer read. */
  private readonly leaseRevision = new Map<string, number>();
  private stopWatch: (() => void) | undefined;
  /** Highest bucket revision the watch applied. */
  private seen = 0;

  constructor(
    private readonly nc: NatsConnection,
    private readonly leases: KV,
    private readonly logger: Logger,
    private readonly now: () => number = Date.now,
  ) {}

  async start(): Promise<void> {
    this.stopWatch = await mirrorKv(this.leases, '>', (entry) => this.applyLease(entry), this.logger);
  }

  stop(): void {
    this.stopWatch?.();
  }

  /** Router replicas holding an unexpired lease now (by the lease's write time on nats-server). */
  liveReplicas(): string[] {
    const now = this.now();
    return [...this.leaseExpiry.entries()]
      .filter(([, expires]) => expires > now)
      .map(([key]) => key)
      .sort();
  }

  private applyLease(entry: KvEntry): void {
    if (entry.revision <= (this.leaseRevision.get(entry.key) ?? 0)) return;
    this.leaseRevision.set(entry.key, entry.revision);
    if (entry.operation !== 'PUT' || entry.value.length === 0) {
      this.seen = Math.max(this.seen, entry.revision);
      this.leaseExpiry.delete(entry.key);
      return;
    }
    this.seen = Math.max(this.seen, entry.revision);
    try {
      const lease = entry.json<RouterLease>();
      this.leaseExpiry.set(entry.key, entry.created.getTime() + lease.ttlMs);
    } catch {
      this.logger.warn({ lease: entry.key }, 'unreadable router lease ignored');
    }
  }

  /** Publishes the change; resolves with the replicas that confirmed, or throws naming the live ones that did not. */
  async announce(change: Omit<KeyChangeAnnouncement, 'changeId'>, timeoutMs: number): Promise<string[]> {
    const announcement: KeyChangeAnnouncement = { changeId: randomUUID(), ...change };
    const deadline = this.now() + timeoutMs;
    // Every lease written before the change was committed: the watch may lag by a moment, so read the bucket's end first.
    await this.caughtUp();
    const targets = this.liveReplicas();
    const acked = new Set<string>();
    const inbox = createInbox();
    const sub = this.nc.subscribe(inbox);
    let wake: (() => void) | undefined;
    void (async () => {
      for await (const msg of sub) {
        try {
          const ack = msg.json<KeyChangeAck>();
          if (ack.changeId !== announcement.changeId) continue;
          acked.add(ack.replicaId);
          wake?.();
        } catch {
          // not an ack: ignored
        }
      }
    })();
    try {
      let live = targets;
      // Published at least once, even with no live router known: one this replica has not seen yet gets it.
      this.nc.publish(KEY_CHANGES_SUBJECT, JSON.stringify(announcement), { reply: inbox });
      if (targets.length === 0) await this.nc.flush();
      for (;;) {
        const pending = live.filter((id) => !acked.has(id));
        if (pending.length === 0) break;
        if (this.now() >= deadline) throw new RevocationTimeoutError(pending);
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, Math.max(1, Math.min(RESEND_MS, deadline - this.now())));
          wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        wake = undefined;
        // A lease that expired since the listing belongs to a router that has stopped using its keys.
        const stillLive = new Set(this.liveReplicas());
        live = targets.filter((id) => stillLive.has(id));
        if (live.some((id) => !acked.has(id))) this.nc.publish(KEY_CHANGES_SUBJECT, JSON.stringify(announcement), { reply: inbox });
      }
    } finally {
      sub.unsubscribe();
    }
    const confirmed = targets.filter((id) => acked.has(id));
    this.logger.info({ change: change.change, keyId: change.keyId, provider: change.provider, confirmed, expired: targets.filter((id) => !acked.has(id)) }, 'key change confirmed by every live router');
    return confirmed;
  }

  /**
   * Announces an added key and waits like `announce`, but a router that does not confirm in time
   * fails nothing: an addition revokes nothing, and the key is stored (failing the call would make
   * its retry add the key twice). That router loads the key on its next reload; it is logged.
   */
  async announceAddition(change: Omit<KeyChangeAnnouncement, 'changeId' | 'change'>, timeoutMs: number): Promise<void> {
    try {
      await this.announce({ ...change, change: 'added' }, timeoutMs);
    } catch (error) {
      if (!(error instanceof RevocationTimeoutError)) throw error;
      this.logger.warn({ keyId: change.keyId, provider: change.provider, unconfirmed: error.unconfirmed }, 'router replicas did not confirm loading an added key in time; the key is stored and the add stands');
    }
  }

  /**
   * Until the lease watch has applied every entry the bucket held when called. A watch still behind
   * after a second (a push consumer recreated after a NATS failover can lag for tens of seconds) is
   * not trusted: the leases are read from the bucket itself, so no live router is left off the
   * list of those a revocation waits for. Throws when the bucket cannot be read either.
   */
  private async caughtUp(): Promise<void> {
    const status = await this.leases.status();
    if (status.values === 0) return;
    const last = status.streamInfo.state.last_seq;
    const until = this.now() + CATCH_UP_WAIT_MS;
    while (this.seen < last && this.now() < until) await new Promise((resolve) => setTimeout(resolve, 5));
    if (this.seen >= last) return;
    this.logger.warn({ seen: this.seen, last }, 'router lease watch behind the bucket; reading the leases from the bucket');
    for await (const key of await this.leases.keys()) {
      const entry = await this.leases.get(key);
      if (entry) this.applyLease(entry);
    }
    this.seen = Math.max(this.seen, last);
  }
}
