import { AuditPublisher } from '@ai-gateway/nats';

export interface AuditEvent {
  action: 'provider_key.added' | 'provider_key.rotated' | 'provider_key.deleted' | 'provider_key.rewrapped' | 'internal_call.refused';
  keyId?: string;
  /** internal_call.refused: the gRPC method, and no-credential | wrong-credential | not-allowed. */
  method?: string;
  reason?: string;
  /** internal_call.refused: refusals of the same kind not reported since the previous event (at most one per 10 s). */
  suppressed?: number;
  provider?: string;
  actor: string;
  at: string;
}

/** Records who did what to which key id, in the log and on JetStream. Never a key value. */
export class AuditTrail extends AuditPublisher<Omit<AuditEvent, 'at'>> {}
