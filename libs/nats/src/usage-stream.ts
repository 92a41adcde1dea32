import { jetstreamManager, RetentionPolicy, StorageType, DiscardPolicy } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import { withSetupRetry } from './setup-retry';

export const USAGE_STREAM = 'GATEWAY_USAGE';
export const USAGE_SUBJECT = 'gateway.usage.v1';
export const USAGE_CONSUMER = 'analytics';

export interface UsageStreamOptions {
  replicas?: number;
  maxAgeSeconds?: number;
  maxBytes?: number;
}

/** Creates or updates the usage stream: file storage, 2-minute de-duplication window. */
export async function ensureUsageStream(nc: NatsConnection, options: UsageStreamOptions = {}): Promise<void> {
  return withSetupRetry(() => putUsageStream(nc, options));
}

async function putUsageStream(nc: NatsConnection, options: UsageStreamOptions): Promise<void> {
  const jsm = await jetstreamManager(nc);
  const config = {
    name: USAGE_STREAM,
    subjects: [USAGE_SUBJECT],
    storage: StorageType.File,
    retention: RetentionPolicy.Limits,
    discard: DiscardPolicy.Old,
    num_replicas: options.replicas ?? 1,
    max_age: (options.maxAgeSeconds ?? 7 * 24 * 3600) * 1_000_000_000,
    max_bytes: options.maxBytes ?? 1024 * 1024 * 1024,
    duplicate_window: 120 * 1_000_000_000,
  };
  try {
    await jsm.streams.info(USAGE_STREAM);
    await jsm.streams.update(USAGE_STREAM, config);
  } catch {
    await jsm.streams.add(config);
  }
}

export const AUDIT_STREAM = 'GATEWAY_AUDIT';
export const AUDIT_SUBJECT = 'gateway.audit.v1';

/** The audit trail (key changes, refused internal calls, provider redirects): who did what, never a secret. */
export async function ensureAuditStream(nc: NatsConnection, replicas = 1): Promise<void> {
  return withSetupRetry(() => putAuditStream(nc, replicas));
}

async function putAuditStream(nc: NatsConnection, replicas: number): Promise<void> {
  const jsm = await jetstreamManager(nc);
  const config = {
    name: AUDIT_STREAM,
    subjects: [AUDIT_SUBJECT],
    storage: StorageType.File,
    retention: RetentionPolicy.Limits,
    num_replicas: replicas,
    max_age: 365 * 24 * 3600 * 1_000_000_000,
  };
  try {
    await jsm.streams.info(AUDIT_STREAM);
  } catch {
    await jsm.streams.add(config);
  }
}
