import { Kvm, type KV } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/nats-core';

/** KV buckets of the gateway (streams KV_<bucket>). */
export const KV_BUCKETS = {
  config: 'gateway_config',
  providerKeys: 'gateway_provider_keys',
  /** Spend, reservations and rate windows of keys and teams (ingress admission); rewritten on every request, so no history. */
  limits: 'gateway_limits',
} as const;

/** Opens a bucket, creating it on first use; file storage, a short history for audit and recovery. */
export async function openKvBucket(nc: NatsConnection, bucket: string, replicas = 1, history = 10): Promise<KV> {
  const kvm = new Kvm(nc);
  return kvm.create(bucket, { history, replicas });
}

/** JSON value of a KV entry, undefined when absent or deleted. */
export async function readJson<T>(kv: KV, key: string): Promise<T | undefined> {
  const entry = await kv.get(key);
  if (!entry || entry.operation !== 'PUT' || entry.value.length === 0) return undefined;
  return entry.json<T>();
}

export type { KV, KvEntry } from '@nats-io/kv';
