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

export type { NatsConnection } from '@nats-io/nats-core';
