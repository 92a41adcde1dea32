import { createInbox, headers as natsHeaders, type Msg, type NatsConnection, type Subscription } from '@nats-io/nats-core';
import { usageSubjectOf } from './usage-stream';
import { UsageEvent } from '@ai-gateway/proto';
import type { Counter } from 'prom-client';
import type { Logger } from 'pino';

/** Events published and not yet acknowledged by JetStream, at most: the window that keeps NATS busy without a queue in it. */
export const USAGE_PUBLISH_WINDOW = 256;
/** An event unacknowledged this long is sent again (same Nats-Msg-Id: the stream keeps one). */
export const USAGE_ACK_TIMEOUT_MS = 5_000;
/**
 * How long an answer waits for its event's acknowledgement while NATS is connected but JetStream
 * does not confirm (a leader election, a stream without quorum); past it the event waits in the
 * buffer, as it does at once while NATS is disconnected.
 */
export const USAGE_CONFIRM_WAIT_MS = 2_000;
/** How often unacknowledged events and waiting answers are looked at: one timer for every event, never one per event. */
const CHECK_INTERVAL_MS = 250;
/** NATS's default max_payload, when the server has not said its own. */
const DEFAULT_MAX_PAYLOAD = 1024 * 1024;
/** Room for the subject, reply inbox and headers (Nats-Msg-Id, traceparent) beside the event. */
const MESSAGE_OVERHEAD_BYTES = 4 * 1024;
const MAX_BACKOFF_MS = 2_000;

/**
 * What became of an event an answer waited for: `stored` (JetStream acknowledged it, a kill -9 of
 * this process can no longer lose it), `waiting` (NATS is away or slow: it waits in the bounded
 * buffer and is retried), `dropped` (the buffer overflowed; counted).
 */
export type UsageOutcome = 'stored' | 'waiting' | 'dropped';

interface Pending {
  event: UsageEvent;
  /** The event encoded once, when it was queued. */
  bytes: Uint8Array;
  traceHeaders?: Record<string, string>;
  sentAt: number;
  /** The answer waiting for this event (publishConfirmed), until it is released. */
  release?: (outcome: UsageOutcome) => void;
  waitUntil: number;
}

/**
 * Publishes one UsageEvent per request to JetStream with Nats-Msg-Id = the request id. The events
 * queued in one turn of the event loop go out together (one write to NATS), up to
 * USAGE_PUBLISH_WINDOW of them unacknowledged at once, their acknowledgements read by one inbox
 * subscription (no request or timer per event). publishConfirmed() resolves once JetStream
 * acknowledged the event, so a request's answer can complete after its event is stored while
 * concurrent requests share the window. An event whose acknowledgement does not come (NATS away, a
 * JetStream error) is sent again after a backoff; while NATS is unreachable events wait in a
 * bounded buffer, and what overflows is dropped and counted.
 */
export class UsagePublisher {
  private readonly buffer: Pending[] = [];
  private readonly inFlight = new Map<number, Pending>();
  private readonly inbox: string;
  private readonly acks: Subscription;
  private readonly ackCheck: NodeJS.Timeout;
  private nextId = 0;
  private scheduled = false;
  private closed = false;
  private failures = 0;
  private pausedUntil = 0;
  /** While the connection is down nothing is sent: events wait in the bounded buffer, not in the client's outbound buffer. */
  private connected = true;
  private idle: Array<() => void> = [];
  /** Answers waiting for their events' acknowledgement. */
  private waiting = 0;

  constructor(
    private readonly nc: NatsConnection,
    private readonly capacity: number,
    private readonly dropped: Counter,
    private readonly logger: Logger,
    private readonly confirmWaitMs = USAGE_CONFIRM_WAIT_MS,
  ) {
    this.inbox = createInbox();
    this.acks = nc.subscribe(`${this.inbox}.*`, { callback: (error, msg) => (error ? undefined : this.acknowledged(msg)) });
    this.ackCheck = setInterval(() => this.checkOverdue(), CHECK_INTERVAL_MS);
    this.ackCheck.unref();
    void this.followConnection();
  }

  /** Fire and forget: the event is sent and retried like any other. `traceHeaders` (traceparent) carry the request's trace to the consumer. */
  publish(event: UsageEvent, traceHeaders?: Record<string, string>): void {
    const bytes = this.encode(event);
    if (!bytes) return;
    this.enqueue({ event, bytes, traceHeaders, sentAt: 0, waitUntil: 0 });
    this.schedule();
  }

  /**
   * Publishes as publish() does and resolves once JetStream acknowledged the event; at once with
   * `waiting` while NATS is disconnected, and after USAGE_CONFIRM_WAIT_MS without an
   * acknowledgement (the event then waits in the buffer). Never rejects.
   */
  publishConfirmed(event: UsageEvent, traceHeaders?: Record<string, string>): Promise<UsageOutcome> {
    return new Promise<UsageOutcome>((resolve) => {
      const bytes = this.encode(event);
      if (!bytes) return resolve('dropped');
      const item: Pending = { event, bytes, traceHeaders, sentAt: 0, waitUntil: 0 };
      if (this.connected && !this.closed) {
        item.release = resolve;
        item.waitUntil = Date.now() + this.confirmWaitMs;
        this.waiting++;
      }
      if (!this.enqueue(item)) return resolve('dropped');
      if (!item.release) resolve('waiting');
      this.schedule();
    });
  }

  /** Events not yet acknowledged, queued or in flight. */
  pending(): number {
    return this.buffer.length + this.inFlight.size;
  }

  /** Waits until every event is acknowledged or the time is up (on shutdown). */
  async flush(timeoutMs: number): Promise<void> {
    if (this.pending() === 0) return;
    await Promise.race([
      new Promise<void>((resolve) => this.idle.push(resolve)),
      new Promise<void>((resolve) => setTimeout(resolve, timeoutMs).unref()),
    ]);
  }

  /** Stops; an event not yet acknowledged (flush() ran out of time) is lost, and counted as dropped. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.ackCheck);
    this.acks.unsubscribe();
    this.releaseAll('waiting');
    const lost = this.pending();
    if (lost > 0) {
      this.dropped.inc(lost);
      this.logger.error({ lost }, 'usage events not acknowledged by NATS before shutdown were dropped');
    }
  }

  /**
   * The event as sent, or undefined when it cannot be (a value that will not encode, or larger
   * than NATS takes in one message): it is dropped and counted at once. Queued, it would be tried
   * first for good and hold every event behind it.
   */
  private encode(event: UsageEvent): Uint8Array | undefined {
    try {
      const bytes = UsageEvent.encode(event).finish();
      if (bytes.length + MESSAGE_OVERHEAD_BYTES <= (this.nc.info?.max_payload ?? DEFAULT_MAX_PAYLOAD)) return bytes;
      this.refused(event, `${bytes.length} bytes, more than NATS takes in one message`);
    } catch (error) {
      this.refused(event, error instanceof Error ? error.message.slice(0, 200) : 'it does not encode');
    }
    return undefined;
  }

  private refused(event: UsageEvent, reason: string): void {
    this.dropped.inc();
    this.logger.error({ requestId: event.requestId, reason }, 'usage event cannot be published; dropped');
  }

  /** Keeps the buffer bounded: the oldest waiting event makes room, counted. False when `item` itself was left out. */
  private enqueue(item: Pending, front = false): boolean {
    if (this.buffer.length + this.inFlight.size >= this.capacity) {
      this.dropped.inc();
      if (this.buffer.length === 0) {
        // Everything held is in flight: the new one is the one left out.
        this.settle(item, 'dropped');
        return false;
      }
      this.settle(this.buffer.shift() as Pending, 'dropped');
    }
    if (front) this.buffer.unshift(item);
    else this.buffer.push(item);
    return true;
  }

  /** One timer for whatever is queued: the events of one turn of the event loop leave together. */
  private schedule(delayMs = 0): void {
    if (this.scheduled || this.closed) return;
    this.scheduled = true;
    if (delayMs === 0) {
      setImmediate(() => {
        this.scheduled = false;
        this.send();
      });
      return;
    }
    setTimeout(() => {
      this.scheduled = false;
      this.send();
    }, delayMs).unref();
  }

  private async followConnection(): Promise<void> {
    try {
      for await (const status of this.nc.status()) {
        if (status.type === 'disconnect') {
          this.connected = false;
          // Nothing will be acknowledged before a reconnect: the answers go on, their events wait here.
          this.releaseAll('waiting');
        }
        if (status.type === 'reconnect') {
          this.connected = true;
          this.pausedUntil = 0;
          this.schedule(0);
        }
      }
    } catch {
      // the connection closed: close() follows
    }
  }

  private send(): void {
    if (!this.connected) return this.schedule(MAX_BACKOFF_MS);
    const now = Date.now();
    if (now < this.pausedUntil) return this.schedule(this.pausedUntil - now);
    while (this.buffer.length > 0 && this.inFlight.size < USAGE_PUBLISH_WINDOW && !this.closed) {
      const item = this.buffer.shift() as Pending;
      const id = this.nextId++;
      const headers = natsHeaders();
      headers.set('Nats-Msg-Id', item.event.requestId);
      if (item.traceHeaders) for (const name in item.traceHeaders) headers.set(name, item.traceHeaders[name]);
      item.sentAt = now;
      try {
        this.nc.publish(usageSubjectOf(item.event), item.bytes, { reply: `${this.inbox}.${id}`, headers });
        this.inFlight.set(id, item);
      } catch {
        // The connection is closing or closed: keep the event, try again later.
        this.enqueue(item, true);
        this.failed();
        return;
      }
    }
    this.settleIdle();
  }

  private acknowledged(msg: Msg): void {
    const id = Number(msg.subject.slice(this.inbox.length + 1));
    const item = this.inFlight.get(id);
    if (!item) return;
    this.inFlight.delete(id);
    if (isPubAck(msg)) {
      this.failures = 0;
      this.settle(item, 'stored');
    } else {
      this.enqueue(item, true);
      this.failed();
    }
    if (this.buffer.length > 0) this.schedule(0);
    else this.settleIdle();
  }

  private checkOverdue(): void {
    const now = Date.now();
    if (this.waiting > 0) this.releaseLate(now);
    if (this.inFlight.size === 0) return;
    const overdue = now - USAGE_ACK_TIMEOUT_MS;
    let late = 0;
    for (const [id, item] of this.inFlight) {
      if (item.sentAt > overdue) continue;
      this.inFlight.delete(id);
      this.enqueue(item, true);
      late++;
    }
    if (late > 0) this.failed();
  }

  /** NATS did not take an event: back off (exponentially, bounded) before sending again. */
  private failed(): void {
    this.failures++;
    if (this.failures === 1 || this.failures % 20 === 0) this.logger.warn({ pending: this.pending() }, 'usage events waiting for NATS');
    const backoff = Math.min(MAX_BACKOFF_MS, 100 * 2 ** Math.min(this.failures, 5));
    this.pausedUntil = Math.max(this.pausedUntil, Date.now() + backoff);
    this.schedule(backoff);
  }

  /** Answers that waited USAGE_CONFIRM_WAIT_MS go on; their events stay queued or in flight. */
  private releaseLate(now: number): void {
    for (const item of this.inFlight.values()) if (item.release && item.waitUntil <= now) this.settle(item, 'waiting');
    for (const item of this.buffer) if (item.release && item.waitUntil <= now) this.settle(item, 'waiting');
  }

  private releaseAll(outcome: UsageOutcome): void {
    if (this.waiting === 0) return;
    for (const item of this.inFlight.values()) this.settle(item, outcome);
    for (const item of this.buffer) this.settle(item, outcome);
  }

  private settle(item: Pending, outcome: UsageOutcome): void {
    const release = item.release;
    if (!release) return;
    item.release = undefined;
    this.waiting--;
    release(outcome);
  }

  private settleIdle(): void {
    if (this.pending() > 0 || this.idle.length === 0) return;
    const waiters = this.idle;
    this.idle = [];
    for (const resolve of waiters) resolve();
  }
}

/** JetStream's acknowledgement of a stored (or de-duplicated) message, not an error nor "no responders". */
function isPubAck(msg: Msg): boolean {
  if (msg.headers?.hasError || msg.data.length === 0) return false;
  try {
    const ack = msg.json<{ error?: unknown; seq?: number }>();
    return ack.error === undefined && typeof ack.seq === 'number';
  } catch {
    return false;
  }
}
