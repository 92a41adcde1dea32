import { jetstream, type JetStreamClient } from '@nats-io/jetstream';
import { headers as natsHeaders, type NatsConnection } from '@nats-io/nats-core';
import { USAGE_SUBJECT } from './usage-stream';
import { UsageEvent } from '@ai-gateway/proto';
import type { Counter } from 'prom-client';
import type { Logger } from 'pino';

/**
 * Publishes one UsageEvent per request with an acknowledged JetStream publish and
 * Nats-Msg-Id = request id, off the request's path. While NATS is unreachable events wait
 * in a bounded buffer and are retried; what overflows is dropped and counted.
 */
export class UsagePublisher {
  private readonly js: JetStreamClient;
  private readonly buffer: Array<{ event: UsageEvent; traceHeaders?: Record<string, string> }> = [];
  private pumping = false;
  private closed = false;
  private idle: Array<() => void> = [];

  constructor(
    nc: NatsConnection,
    private readonly capacity: number,
    private readonly dropped: Counter,
    private readonly logger: Logger,
  ) {
    this.js = jetstream(nc, { timeout: 5_000 });
  }

  /** `traceHeaders` (traceparent) carry the request's trace to the consumer. */
  publish(event: UsageEvent, traceHeaders?: Record<string, string>): void {
    if (this.buffer.length >= this.capacity) {
      this.buffer.shift();
      this.dropped.inc();
    }
    this.buffer.push({ event, traceHeaders });
    // Encoding and publishing wait until the request's answer is on its way.
    if (!this.pumping) {
      this.pumping = true;
      setImmediate(() => void this.pump());
    }
  }

  pending(): number {
    return this.buffer.length;
  }

  /** Waits until the buffer is empty or the time is up (on shutdown). */
  async flush(timeoutMs: number): Promise<void> {
    if (this.buffer.length === 0 && !this.pumping) return;
    await Promise.race([
      new Promise<void>((resolve) => this.idle.push(resolve)),
      new Promise<void>((resolve) => setTimeout(resolve, timeoutMs).unref()),
    ]);
  }

  close(): void {
    this.closed = true;
  }

  private async pump(): Promise<void> {
    let failures = 0;
    while (this.buffer.length > 0 && !this.closed) {
      const batch = this.buffer.slice(0, 64);
      const results = await Promise.allSettled(batch.map((item) => this.send(item.event, item.traceHeaders)));
      let sent = 0;
      for (const result of results) {
        if (result.status !== 'fulfilled') break;
        sent++;
      }
      // Keep order: drop from the front only what was acknowledged in sequence.
      this.buffer.splice(0, sent);
      if (sent < batch.length) {
        failures++;
        if (failures === 1 || failures % 20 === 0) this.logger.warn({ pending: this.buffer.length }, 'usage events waiting for NATS');
        await new Promise((resolve) => setTimeout(resolve, Math.min(2_000, 100 * 2 ** Math.min(failures, 5))));
      } else {
        failures = 0;
      }
    }
    this.pumping = false;
    const waiters = this.idle;
    this.idle = [];
    for (const resolve of waiters) resolve();
  }

  private async send(event: UsageEvent, traceHeaders: Record<string, string> = {}): Promise<void> {
    const headers = natsHeaders();
    for (const [name, value] of Object.entries(traceHeaders)) headers.set(name, value);
    await this.js.publish(USAGE_SUBJECT, UsageEvent.encode(event).finish(), { msgID: event.requestId, headers, timeout: 5_000 });
  }
}
