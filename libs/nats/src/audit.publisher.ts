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

  /**
   * As record(), for an action that has already taken effect: a stream that cannot take the event
   * is logged (the log line is then its only copy), never thrown, so the caller's answer says what
   * happened rather than failing an action that cannot be undone.
   */
  async recordDone(event: Event): Promise<void> {
    await this.record(event).catch((error: unknown) =>
      this.logger.error({ err: error instanceof Error ? error.message : String(error), action: event.action }, 'audit event not published to the audit stream; the log line is its record'),
    );
  }
}
