import { AckPolicy, DeliverPolicy, jetstream, jetstreamManager } from '@nats-io/jetstream';
import { USAGE_CONSUMER, USAGE_STREAM, type NatsConnection } from '@ai-gateway/nats';
import { UsageEvent } from '@ai-gateway/proto';
import type { Logger } from '@ai-gateway/logging';
import type { ProviderHealthTracker } from './provider-health';
import type { SeenIdsCache } from './seen-ids.cache';

/** Most events replayed at start; at a sustained 1,000 requests/s this is the last ~30 minutes. */
const MAX_REPLAYED_EVENTS = 2_000_000;
const BATCH = 1_000;
const FETCH_EXPIRES_MS = 1_000;
const REPLAY_CONSUMER_IDLE_NS = 30 * 1_000_000_000;

/**
 * Rebuilds the windowed views (provider health, usage by key) after a restart from the usage
 * stream itself: every event of the last `windowMs` up to what the durable consumer already
 * acknowledged (the consumer delivers the rest, so nothing is counted twice). Prometheus
 * counters are not replayed: a restarted counter starting from zero is what Prometheus expects.
 */
export async function replayUsageHistory(
  nc: NatsConnection,
  health: ProviderHealthTracker,
  seen: SeenIdsCache,
  windowMs: number,
  logger: Logger,
): Promise<number> {
  const jsm = await jetstreamManager(nc);
  const ackFloor = await jsm.consumers
    .info(USAGE_STREAM, USAGE_CONSUMER)
    .then((info) => info.ack_floor.stream_seq)
    .catch(() => 0);
  if (ackFloor === 0) return 0;
  // An ephemeral pull consumer without acks, removed at the end (and by the server if we die).
  const created = await jsm.consumers.add(USAGE_STREAM, {
    ack_policy: AckPolicy.None,
    deliver_policy: DeliverPolicy.StartTime,
    opt_start_time: new Date(Date.now() - windowMs).toISOString(),
    inactive_threshold: REPLAY_CONSUMER_IDLE_NS,
    mem_storage: true,
  });
  const consumer = await jetstream(nc).consumers.get(USAGE_STREAM, created.name);
  let replayed = 0;
  try {
    let reachedFloor = false;
    while (!reachedFloor) {
      const batch = await consumer.fetch({ max_messages: BATCH, expires: FETCH_EXPIRES_MS });
      let received = 0;
      // A fetched batch is read to its end (closing it early leaves the iterator waiting).
      for await (const m of batch) {
        received++;
        if (m.seq >= ackFloor) reachedFloor = true;
        if (m.seq > ackFloor) continue;
        try {
          const event = UsageEvent.decode(m.data);
          if (event.requestId === '' || seen.has(event.requestId)) continue;
          health.record(event);
          seen.add(event.requestId);
          replayed++;
        } catch {
          // Undecodable events were counted as invalid when first consumed.
        }
      }
      if (received === 0 || received < BATCH || replayed >= MAX_REPLAYED_EVENTS) break;
    }
  } finally {
    await jsm.consumers.delete(USAGE_STREAM, created.name).catch(() => undefined);
  }
  logger.info({ replayed, upToSeq: ackFloor }, 'usage history replayed into the windowed views');
  return replayed;
}
