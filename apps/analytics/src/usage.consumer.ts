import { AckPolicy, DeliverPolicy, jetstream, jetstreamManager, type ConsumerMessages, type JsMsg } from '@nats-io/jetstream';
import { ensureUsageStream, USAGE_CONSUMER, USAGE_STREAM, withSetupRetry, type NatsConnection, type UsageStreamOptions } from '@ai-gateway/nats';
import { UsageEvent } from '@ai-gateway/proto';
import type { Logger } from '@ai-gateway/logging';
import type { ProviderHealthTracker } from './provider-health';
import { SeenIdsCache } from './seen-ids.cache';
import { replayUsageHistory } from './usage-history.replay';
import type { UsageMetrics } from './usage.metrics';

const ACK_WAIT_NS = 30 * 1_000_000_000;
const RETRY_MS = 500;
/** Messages the durable consumer's pull asks for at once. */
const FETCH_BATCH = 512;

/**
 * Reads the usage stream through the durable consumer `analytics` in pulled batches, explicit acks. A message is
 * acknowledged after it was recorded; a redelivered request id is acknowledged without being
 * counted again; an undecodable message is acknowledged, counted and logged without content.
 */
export class UsageConsumer {
  private readonly seen: SeenIdsCache;
  private messages: ConsumerMessages | undefined;
  private loop: Promise<void> | undefined;
  private closed = false;
  private processed = 0;
  private wake: (() => void) | undefined;

  constructor(
    private readonly nc: NatsConnection,
    private readonly stream: UsageStreamOptions,
    private readonly metrics: UsageMetrics,
    private readonly health: ProviderHealthTracker,
    private readonly logger: Logger,
    seen?: SeenIdsCache,
  ) {
    this.seen = seen ?? new SeenIdsCache();
  }

  /** Rebuilds the windowed views from the stream (up to what was acknowledged), then consumes the rest. */
  async start(historyWindowMs = 0): Promise<void> {
    await this.ensure();
    if (historyWindowMs > 0) {
      await replayUsageHistory(this.nc, this.health, this.seen, historyWindowMs, this.logger).catch((error: unknown) =>
        this.logger.warn({ err: error instanceof Error ? error.message : String(error) }, 'usage history not replayed; views start empty'),
      );
    }
    this.loop = this.run();
  }

  processedCount(): number {
    return this.processed;
  }

  /** Stops consuming; acks already sent are flushed by the connection's drain. */
  async close(): Promise<void> {
    this.closed = true;
    this.wake?.();
    await this.messages?.close().catch(() => undefined);
    await this.loop;
  }

  private async ensure(): Promise<void> {
    await ensureUsageStream(this.nc, this.stream);
    const jsm = await jetstreamManager(this.nc);
    await withSetupRetry(() =>
      jsm.consumers.add(USAGE_STREAM, {
        durable_name: USAGE_CONSUMER,
        ack_policy: AckPolicy.Explicit,
        deliver_policy: DeliverPolicy.All,
        ack_wait: ACK_WAIT_NS,
        max_ack_pending: 10_000,
      }),
    );
  }

  private async run(): Promise<void> {
    let failures = 0;
    while (!this.closed) {
      try {
        if (failures > 0) await this.ensure();
        const consumer = await jetstream(this.nc).consumers.get(USAGE_STREAM, USAGE_CONSUMER);
        // Pulled in batches of FETCH_BATCH; the callback handles every message of one socket
        // read in a row, so their acks leave in one write (the client coalesces them).
        this.messages = await consumer.consume({
          max_messages: FETCH_BATCH,
          callback: (m) => {
            failures = 0;
            this.handle(m);
          },
        });
        if (this.closed) await this.messages.close();
        const ended = await this.messages.closed();
        if (ended instanceof Error) throw ended;
      } catch (error) {
        failures++;
        if (!this.closed && (failures === 1 || failures % 20 === 0)) {
          this.logger.warn({ err: error instanceof Error ? error.message : String(error), failures }, 'usage consumer interrupted; retrying');
        }
      }
      if (!this.closed) {
        failures = Math.max(failures, 1);
        await new Promise<void>((resolve) => {
          this.wake = resolve;
          setTimeout(resolve, RETRY_MS).unref();
        });
      }
    }
  }

  private handle(m: JsMsg): void {
    let event: UsageEvent;
    try {
      event = UsageEvent.decode(m.data);
      if (event.requestId === '') throw new Error('no request id');
    } catch (error) {
      this.metrics.invalidEvents.inc();
      this.logger.warn({ seq: m.seq, bytes: m.data.length, reason: error instanceof Error ? error.message : 'decode failed' }, 'invalid usage event skipped');
      m.ack();
      return;
    }
    if (this.seen.has(event.requestId)) {
      this.metrics.duplicateEvents.inc();
      m.ack();
      return;
    }
    try {
      this.metrics.record(event);
      this.health.record(event);
    } catch (error) {
      this.logger.error({ seq: m.seq, err: error instanceof Error ? error.message : String(error) }, 'usage event could not be recorded');
    }
    this.seen.add(event.requestId);
    this.processed++;
    m.ack();
  }
}
