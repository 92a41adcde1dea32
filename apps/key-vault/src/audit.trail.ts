import { jetstream } from '@nats-io/jetstream';
import { AUDIT_SUBJECT, type NatsConnection } from '@ai-gateway/nats';
import type { Logger } from 'pino';

export interface AuditEvent {
  action: 'provider_key.added' | 'provider_key.rotated' | 'provider_key.deleted' | 'provider_key.rewrapped' | 'internal_call.refused';
  keyId?: string;
  /** internal_call.refused: the gRPC method, and no-credential | wrong-credential | not-allowed. */
  method?: string;
  reason?: string;
  provider?: string;
  actor: string;
  at: string;
}

/** Records who did what to which key id, in the log and on JetStream. Never a key value. */
export class AuditTrail {
  private readonly js;

  constructor(
    nc: NatsConnection,
    private readonly logger: Logger,
  ) {
    this.js = jetstream(nc);
  }

  async record(event: Omit<AuditEvent, 'at'>): Promise<void> {
    const full: AuditEvent = { ...event, at: new Date().toISOString() };
    this.logger.info({ audit: full }, 'audit');
    await this.js.publish(AUDIT_SUBJECT, JSON.stringify(full));
  }
}
