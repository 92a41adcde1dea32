import { jetstream } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import type { Logger } from 'pino';
import { AUDIT_SUBJECT } from './usage-stream';

/** What every audit event carries besides its own fields: what happened, who did it (never a secret). */
export interface AuditFields {
  action: string;
  actor: string;
}

/**
 * Records who did what, in the service's log and on the GATEWAY_AUDIT stream (ensureAuditStream).
 * Each service names its own event type; values of secrets never belong in one.
 */
export class AuditPublisher<Event extends AuditFields> {
  private readonly js;

  constructor(
    nc: NatsConnection,
    private readonly logger: Logger,
  ) {
    this.js = jetstream(nc);
  }

  async record(event: Event): Promise<void> {
    const full = { ...event, at: new Date().toISOString() };
    this.logger.info({ audit: full }, 'audit');
    await this.js.publish(AUDIT_SUBJECT, JSON.stringify(full));
  }
}
