import type { AuditPublisher } from '@ai-gateway/nats';

export const CONFIG_STORE = Symbol('CONFIG_STORE');
export const CONFIG_AUDIT = Symbol('CONFIG_AUDIT');

/** Config's audit events on GATEWAY_AUDIT: base URL changes that move a provider's keys to another origin. */
export interface ConfigAuditEvent {
  action: 'provider.redirected' | 'provider.redirect_refused';
  provider: string;
  /** Origins only (scheme, host, port), never a path or query that could carry a token. */
  from: string;
  to: string;
  /** provider.redirected: the admin confirmed it, or the host is on PROVIDER_HOST_ALLOWLIST. */
  via?: 'confirmed' | 'allow-list';
  actor: string;
}

export type ConfigAudit = AuditPublisher<ConfigAuditEvent>;
