import { Kvm, type KV } from '@nats-io/kv';
import { withSetupRetry } from './setup-retry';
import type { NatsConnection } from '@nats-io/nats-core';

/**
 * Key changes and router leases travel through NATS, so any key-vault replica can confirm a
 * revocation to every router replica (README "Key revocation without a single key-vault").
 * Only ids, provider, version and a change id are sent: key material never enters NATS.
 */
export const KEY_CHANGES_SUBJECT = 'gateway.keys.changes.v1';
/** KV bucket of router leases: key = router replica id, value = RouterLease (JSON). */
export const ROUTER_LEASES_BUCKET = 'gateway_router_leases';

export interface KeyChangeAnnouncement {
  /** Unique per announcement (a UUID): routers ack it by this id and apply it once. */
  changeId: string;
  provider: string;
  keyId: string;
  change: 'added' | 'rotated' | 'deleted';
  /** The key's version after the change (0 when deleted). */
  version: number;
}

export interface KeyChangeAck {
  changeId: string;
  replicaId: string;
}

export interface RouterLease {
  replicaId: string;
  /** How long after this renewal was written the lease holds (the router stops using keys earlier). */
  ttlMs: number;
}

/**
 * Lease TTL: 13 s. A router stops using its keys 12 s after the last renewal it sent that
 * succeeded, at most 1 s before a fault: 11 s without any renewal are ridden out. That is over the
 * longest a replicated bucket can be unwritable when the NATS node leading it dies: its followers
 * wait 4 to 9 s for a lost leader before they campaign (nats-server's raft election timeout),
 * campaign for up to 0.8 s, and then take writes (6.6 to 8.3 s measured after kill -9). Below
 * key-vault's revocation timeout (16 s), so a crashed router's lease lapses while a delete still waits.
 */
export const ROUTER_LEASE_TTL_MS = 13_000;
/** Renewal period: three tries inside one TTL. */
export const ROUTER_LEASE_RENEW_MS = 1_000;
/**
 * A router stops using its keys this long before its lease runs out, counted from the moment it
 * *sent* the last renewal that succeeded: covers clock skew between key-vault and nats-server
 * (key-vault judges expiry by the server's write time) and a key-vault check in flight.
 */
export const ROUTER_LEASE_SAFETY_MS = 1_000;

/**
 * Opens the leases bucket, creating it (with `replicas`) when it does not exist yet; an existing
 * bucket is used as it is, so a router never contends with key-vault over its replica count.
 * Entries outlive no crashed router for long (max age = 15 TTLs).
 */
export async function openRouterLeases(nc: NatsConnection, replicas = 1): Promise<KV> {
  return withSetupRetry(() => openOrCreateLeases(nc, replicas));
}

async function openOrCreateLeases(nc: NatsConnection, replicas: number): Promise<KV> {
  const kvm = new Kvm(nc);
  try {
    const existing = await kvm.open(ROUTER_LEASES_BUCKET);
    await existing.status();
    return existing;
  } catch {
    return kvm.create(ROUTER_LEASES_BUCKET, { history: 1, replicas, ttl: ROUTER_LEASE_TTL_MS * 15 });
  }
}

/** A valid KV key token for a replica id (hostnames and pids pass unchanged). */
export function leaseKey(replicaId: string): string {
  return replicaId.replace(/[^-/_=.a-zA-Z0-9]/g, '_').replace(/^\.+|\.+$/g, '_') || 'unnamed';
}
