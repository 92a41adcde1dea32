import type { KV } from '@ai-gateway/nats';
import { applyOperation, emptyState, type LimitOperation, type LimitState, type OperationResult } from './limit-state';

/** Compare-and-set rounds per batch before giving up: with batching only other replicas contend, so each round is another replica's write. */
const MAX_CAS_ROUNDS = 64;
/** Longest pause between rounds (jittered, growing with the round). */
const MAX_BACKOFF_MS = 5;
/** After a conflict on a subject, for this long each write is followed by a short random pause before the next. */
const CONTENDED_MS = 1_000;
/**
 * That pause's longest: a replica that just wrote already holds the latest revision and would win
 * every round against one that must read first; yielding lets the other's write land (fairness).
 */
const MAX_YIELD_MS = 3;
/** Subjects whose last entry this process remembers (to skip a read before the first write). */
const MAX_CACHED_SUBJECTS = 10_000;
/** Operations one subject may have waiting here; past it new ones fail at once (overload, not a hang). */
const MAX_QUEUED_PER_SUBJECT = 10_000;

/** The limits state could not be read or written (NATS unreachable, or contention beyond MAX_CAS_ROUNDS). */
export class LimitsUnavailable extends Error {}

interface Pending {
  op: LimitOperation;
  resolve: (result: OperationResult) => void;
  reject: (error: Error) => void;
}

interface Cached {
  bytes: Uint8Array;
  revision: number;
}

/**
 * The shared limits state of keys and teams: one KV entry per subject ("key.<id>", "team.<id>"),
 * changed only by compare-and-set on its revision, so every replica's decision is taken on the
 * latest state. Operations arriving while a write is under way are applied together in the next
 * write (one round trip for a burst), so contention is between replicas, not between requests.
 */
export class ReservationStore {
  private readonly queues = new Map<string, Pending[]>();
  private readonly running = new Set<string>();
  private readonly cache = new Map<string, Cached>();
  private readonly contendedUntil = new Map<string, number>();
  private readonly encoder = new TextEncoder();
  private readonly decoder = new TextDecoder();

  constructor(
    private readonly kv: KV,
    private readonly clock: () => number = Date.now,
  ) {}

  /** Applies the operation to the subject's shared state; resolves once the change is stored. */
  apply(subject: string, op: LimitOperation): Promise<OperationResult> {
    return new Promise<OperationResult>((resolve, reject) => {
      const queue = this.queues.get(subject) ?? [];
      if (queue.length >= MAX_QUEUED_PER_SUBJECT) return reject(new LimitsUnavailable(`too many limit operations waiting for ${subject}`));
      queue.push({ op, resolve, reject });
      this.queues.set(subject, queue);
      if (!this.running.has(subject)) void this.drain(subject);
    });
  }

  /** Deletes the subject's state (its key or team is gone); a request still in flight settles into a fresh entry. */
  async remove(subject: string): Promise<void> {
    this.cache.delete(subject);
    await this.kv.purge(subject);
  }

  /** The subject's state as stored now (expired reservations still in it), or undefined. */
  async read(subject: string): Promise<LimitState | undefined> {
    const entry = await this.kv.get(subject);
    if (!entry || entry.operation !== 'PUT' || entry.value.length === 0) return undefined;
    return this.decode(entry.value);
  }

  private async drain(subject: string): Promise<void> {
    this.running.add(subject);
    try {
      for (let batch = this.take(subject); batch.length > 0; batch = this.take(subject)) {
        await this.write(subject, batch);
        if ((this.contendedUntil.get(subject) ?? 0) > Date.now()) await pause(Math.random() * MAX_YIELD_MS);
        else this.contendedUntil.delete(subject);
      }
    } finally {
      this.running.delete(subject);
    }
  }

  private take(subject: string): Pending[] {
    const queue = this.queues.get(subject) ?? [];
    this.queues.delete(subject);
    return queue;
  }

  private async write(subject: string, batch: Pending[]): Promise<void> {
    let lastError: unknown;
    for (let round = 0; round < MAX_CAS_ROUNDS; round++) {
      // Operations that arrived meanwhile join the retry: one write for all of them.
      if (round > 0) batch.push(...this.take(subject));
      try {
        const current = this.cache.get(subject) ?? (await this.load(subject));
        const now = this.clock();
        const state = current ? this.decode(current.bytes) : emptyState(initialPeriod(batch), now);
        const results = batch.map((pending) => applyOperation(state, pending.op, now));
        const bytes = this.encoder.encode(JSON.stringify(state));
        const revision = current ? await this.kv.update(subject, bytes, current.revision) : await this.kv.create(subject, bytes);
        this.remember(subject, { bytes, revision });
        batch.forEach((pending, i) => pending.resolve(results[i]));
        return;
      } catch (error) {
        // Another replica wrote first (wrong last sequence), or NATS failed: read again and retry.
        lastError = error;
        this.cache.delete(subject);
        this.contendedUntil.set(subject, Date.now() + CONTENDED_MS);
        await pause(Math.random() * Math.min(MAX_BACKOFF_MS, 1 + round));
      }
    }
    const reason = lastError instanceof Error ? lastError.message : String(lastError);
    for (const pending of batch) pending.reject(new LimitsUnavailable(`limits state of ${subject} not updated after ${MAX_CAS_ROUNDS} rounds: ${reason.slice(0, 200)}`));
  }

  private async load(subject: string): Promise<Cached | undefined> {
    const entry = await this.kv.get(subject);
    if (!entry) return undefined;
    // A deleted or purged entry is updated on its revision like any other.
    return { bytes: entry.operation === 'PUT' && entry.value.length > 0 ? entry.value : this.encoder.encode(''), revision: entry.revision };
  }

  private decode(bytes: Uint8Array): LimitState {
    const text = this.decoder.decode(bytes);
    return text ? (JSON.parse(text) as LimitState) : emptyState('total', this.clock());
  }

  private remember(subject: string, cached: Cached): void {
    this.cache.delete(subject);
    this.cache.set(subject, cached);
    if (this.cache.size > MAX_CACHED_SUBJECTS) this.cache.delete(this.cache.keys().next().value as string);
  }
}

/** A new entry's budget period: the first reservation's, else a total. */
function initialPeriod(batch: Pending[]): string {
  for (const { op } of batch) if (op.kind === 'reserve' && op.policy.budget) return `${op.policy.budget.period}:`;
  return 'total';
}

function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
