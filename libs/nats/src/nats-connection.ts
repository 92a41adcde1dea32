import type { NatsConnection } from '@nats-io/nats-core';
import { connect } from '@nats-io/transport-node';

/** Connects with unlimited reconnects: a NATS restart must not take a service down. */
export async function connectNats(url: string, name: string): Promise<NatsConnection> {
  return connect({
    servers: url.split(','),
    name,
    maxReconnectAttempts: -1,
    reconnectTimeWait: 250,
    waitOnFirstConnect: true,
    timeout: 5_000,
    // Capturing a stack trace for every request (each acked publish is one) costs more than the
    // publish itself; errors still carry their own stack.
    noAsyncTraces: true,
  });
}

/** How long a stopping service waits for NATS to take what the connection still holds before closing it anyway. */
export const NATS_DRAIN_BOUND_MS = 1_000;

/**
 * Drains the connection (subscriptions finish what they were given, publications are flushed) and
 * closes it once that is done or `boundMs` passed. A drain waits for the server: with NATS away it
 * would wait for ever while the client went on reconnecting, and hold the service's stop until its
 * forced exit. Never rejects.
 */
export async function closeNats(nc: NatsConnection, boundMs = NATS_DRAIN_BOUND_MS): Promise<void> {
  if (nc.isClosed()) return;
  let bound: NodeJS.Timeout | undefined;
  const drained = await Promise.race([
    nc.drain().then(
      () => true,
      () => false,
    ),
    new Promise<boolean>((resolve) => {
      bound = setTimeout(() => resolve(false), boundMs);
    }),
  ]);
  clearTimeout(bound);
  if (!drained && !nc.isClosed()) await nc.close().catch(() => undefined);
}

export type { NatsConnection } from '@nats-io/nats-core';
