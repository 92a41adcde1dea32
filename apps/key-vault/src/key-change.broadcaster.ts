import type { KeyChange } from '@ai-gateway/proto';
import type { Logger } from 'pino';

interface Replica {
  id: string;
  send(change: KeyChange): void;
  confirmed: number;
}

export class RevocationTimeoutError extends Error {
  constructor(readonly unconfirmed: string[]) {
    super(`router replicas did not confirm dropping the key in time: ${unconfirmed.join(', ')}`);
    this.name = 'RevocationTimeoutError';
  }
}

/**
 * Announces key changes to every connected router replica and waits for each to confirm
 * that it dropped the old value. A replica whose stream ends has dropped its whole cache
 * (the router clears it when its watch breaks), so it no longer holds the key.
 */
export class KeyChangeBroadcaster {
  private sequence = 0;
  private readonly replicas = new Map<string, Replica>();
  private readonly waiters = new Set<() => void>();

  constructor(private readonly logger: Logger) {}

  connect(id: string, send: (change: KeyChange) => void): () => void {
    const replica: Replica = { id, send, confirmed: this.sequence };
    this.replicas.set(id, replica);
    this.logger.info({ replica: id, replicas: this.replicas.size }, 'router replica watching key changes');
    return () => {
      if (this.replicas.get(id) === replica) this.replicas.delete(id);
      this.logger.info({ replica: id, replicas: this.replicas.size }, 'router replica stopped watching');
      this.notify();
    };
  }

  confirm(id: string, sequence: number): void {
    const replica = this.replicas.get(id);
    if (!replica) return;
    replica.confirmed = Math.max(replica.confirmed, sequence);
    this.notify();
  }

  liveReplicas(): string[] {
    return [...this.replicas.keys()];
  }

  /** Sends the change to every replica; resolves with those that confirmed, or throws naming the rest. */
  async announce(change: Omit<KeyChange, 'sequence'>, timeoutMs: number): Promise<string[]> {
    const sequence = ++this.sequence;
    const targets = [...this.replicas.values()];
    for (const replica of targets) replica.send({ ...change, sequence });
    const pending = (): Replica[] => targets.filter((r) => this.replicas.get(r.id) === r && r.confirmed < sequence);
    await new Promise<void>((resolve, reject) => {
      const check = (): void => {
        if (pending().length > 0) return;
        clearTimeout(timer);
        this.waiters.delete(check);
        resolve();
      };
      const timer = setTimeout(() => {
        this.waiters.delete(check);
        reject(new RevocationTimeoutError(pending().map((r) => r.id)));
      }, timeoutMs);
      this.waiters.add(check);
      check();
    });
    return targets.filter((r) => r.confirmed >= sequence).map((r) => r.id);
  }

  private notify(): void {
    for (const waiter of [...this.waiters]) waiter();
  }
}
