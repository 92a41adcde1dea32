import { jetstreamManager, RetentionPolicy, StorageType, DiscardPolicy } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import { withSetupRetry } from './setup-retry';

export const USAGE_STREAM = 'GATEWAY_USAGE';
export const USAGE_SUBJECT = 'gateway.usage.v1';
/**
 * The events of requests that reserved budget or limits (UsageEvent.reserved): the spend settler's
 * consumer filters on it, so the events of requests without limits never reach it.
 */
export const RESERVED_USAGE_SUBJECT = 'gateway.usage.v1.reserved';
/** Every subject of the usage stream: analytics reads them all. */
export const USAGE_SUBJECTS = [USAGE_SUBJECT, RESERVED_USAGE_SUBJECT];

/** Where an event is published: its own subject when spend settles from it. */
export function usageSubjectOf(event: { reserved?: boolean }): string {
  return event.reserved ? RESERVED_USAGE_SUBJECT : USAGE_SUBJECT;
}
export const USAGE_CONSUMER = 'analytics';

export interface UsageStreamOptions {
  replicas?: number;
  maxAgeSeconds?: number;
  maxBytes?: number;
}

/** Creates or updates the usage stream: both usage subjects, file storage, 2-minute de-duplication window. */
export async function ensureUsageStream(nc: NatsConnection, options: UsageStreamOptions = {}): Promise<void> {
  return withSetupRetry(() => putUsageStream(nc, options));
}

async function putUsageStream(nc: NatsConnection, options: UsageStreamOptions): Promise<void> {
  const jsm = await jetstreamManager(nc);
  const config = {
    name: USAGE_STREAM,
    subjects: USAGE_SUBJECTS,
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
