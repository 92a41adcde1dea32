import { firstValueFrom, timeout } from 'rxjs';
import { secretScrubber } from '@ai-gateway/logging';
import type { KeyChangeAnnouncement } from '@ai-gateway/nats';
import { KEY_VAULT_RESOLVE_SERVICE_NAME, type KeyVaultResolveServiceClient, type ResolvedKey } from '@ai-gateway/proto';
import type { ClientGrpcProxy } from '@nestjs/microservices';
import type { Logger } from 'pino';
import type { RouterLease } from './router-lease';

/** Where key changes arrive from (NATS in the service): `confirm` acknowledges one to key-vault. */
export interface KeyChangeFeed {
  subscribe(handler: (change: KeyChangeAnnouncement, confirm: () => void) => void): () => void;
}

export interface ProviderKeysCacheOptions {
  /** Lease renewal period (ROUTER_LEASE_RENEW_MS). */
  renewMs: number;
  /** Longest wait on key-vault's resolve service. */
  resolveTimeoutMs?: number;
  /** key-vault answered (true) or failed (false) a resolve: the control-plane state. */
  onKeyVault?: (reachable: boolean) => void;
  /** The lease was renewed (true) or not (false): NATS as seen from here. */
  onLease?: (renewed: boolean) => void;
}

const REMEMBERED_CHANGES = 1_000;

/**
 * Decrypted provider keys, in this process's memory only, used only while this router holds its
 * lease (RouterLease). Key changes arrive through NATS from any key-vault replica; the cache
 * applies each (reloads the provider's keys from key-vault, or at least drops the changed key)
 * and only then confirms, so the admin call returns after this replica let go of the old key.
 *
 * When key-vault is away the keys stay: lease renewal does not involve key-vault, and every
 * revocation still needs this router's confirmation while its lease holds. When the lease
 * cannot be renewed (cut off from NATS) the keys are dropped before it lapses, and reloaded
 * once it is renewed again: a revocation completed meanwhile was never seen here.
 */
export class ProviderKeysCache {
  private keys = new Map<string, ResolvedKey[]>();
  /** The secrets this cache has registered with the log scrubber: exactly those it holds. */
  private scrubbed = new Set<string>();
  private withKeys: ReadonlySet<string> = new Set();
  private readonly cursor = new Map<string, number>();
  private readonly client: KeyVaultResolveServiceClient;
  private readonly listeners = new Set<() => void>();
  private readonly applied = new Set<string>();
  /** Every reload and change runs in this order, so a stale full reload never overwrites a change. */
  private queue: Promise<void> = Promise.resolve();
  private needsReload = true;
  private stopped = false;
  /** A renewal failed and none has succeeded since: warned once per such run. */
  private renewalFailing = false;
  private timer: NodeJS.Timeout | undefined;
  private expiry: NodeJS.Timeout | undefined;
  private unsubscribe: (() => void) | undefined;

  constructor(
    /** A client created with the router's service credential (createGrpcClient). */
    proxy: ClientGrpcProxy,
    private readonly lease: RouterLease,
    private readonly feed: KeyChangeFeed,
    private readonly logger: Logger,
    private readonly options: ProviderKeysCacheOptions,
  ) {
    this.client = proxy.getService<KeyVaultResolveServiceClient>(KEY_VAULT_RESOLVE_SERVICE_NAME);
  }

  /** Subscribes to changes, takes the lease, then loads every key (this order: see KeyChangeBroadcaster). */
  async start(): Promise<void> {
    this.unsubscribe = this.feed.subscribe((change, confirm) => void this.enqueue(() => this.applyChange(change, confirm)));
    if (!(await this.lease.renew())) throw new Error('could not take the router lease in NATS');
    this.options.onLease?.(true);
    await this.enqueue(() => this.reloadAll());
    this.timer = setInterval(() => void this.tick(), this.options.renewMs);
    this.timer.unref();
    this.expiry = setInterval(() => this.checkLease(), Math.max(50, Math.floor(this.options.renewMs / 4)));
    this.expiry.unref();
  }

  stop(): void {
    this.stopped = true;
    clearInterval(this.timer);
    clearInterval(this.expiry);
    this.unsubscribe?.();
    this.lease.end();
    this.clear();
  }

  /** Providers holding at least one key (recomputed on change, not per request); none without a lease. */
  providersWithKeys(): ReadonlySet<string> {
    if (!this.checkLease()) return new Set();
    return this.withKeys;
  }

  /** The provider's keys, and where a round robin over them starts this time. */
  roundRobin(provider: string): { keys: readonly ResolvedKey[]; start: number } {
    const keys = this.checkLease() ? (this.keys.get(provider) ?? []) : [];
    if (keys.length === 0) return { keys, start: 0 };
    const start = ((this.cursor.get(provider) ?? -1) + 1) % keys.length;
    this.cursor.set(provider, start);
    return { keys, start };
  }

  /** Every key held now (ids and versions only matter to the caller). */
  all(): ResolvedKey[] {
    return [...this.keys.values()].flat();
  }

  onChange(listener: () => void): void {
    this.listeners.add(listener);
  }

  /** Renews the lease; once renewed after a lapse (or a failed change), reloads every key. */
  async tick(): Promise<void> {
    if (this.stopped) return;
    const renewed = await this.lease.renew();
    this.options.onLease?.(renewed);
    if (!this.stopped && !renewed && !this.renewalFailing) this.logger.warn(this.lease.lapse(), 'router lease renewal failed; provider keys are kept while the lease holds');
    if (!this.stopped && renewed && this.renewalFailing) this.logger.info('router lease renewed again');
    this.renewalFailing = !renewed;
    if (!this.checkLease() || !this.needsReload) return;
    await this.enqueue(() => this.reloadAll()).catch(() => undefined);
  }

  /** Drops every key once the lease is no longer valid; true while it is. */
  private checkLease(): boolean {
    if (this.lease.valid()) return true;
    if (!this.stopped) this.options.onLease?.(false);
    if (!this.needsReload || this.keys.size > 0) {
      if (!this.stopped) this.logger.warn(this.lease.lapse(), 'router lease not renewed in time: provider keys dropped until it is renewed');
      this.needsReload = true;
      this.clear();
    }
    return false;
  }

  private enqueue(task: () => Promise<void>): Promise<void> {
    const run = this.queue.then(task);
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async resolve(providers: string[]): Promise<ResolvedKey[]> {
    try {
      const resolved = await firstValueFrom(this.client.resolveKeys({ providers }).pipe(timeout(this.options.resolveTimeoutMs ?? 3_000)));
      this.options.onKeyVault?.(true);
      return resolved.keys;
    } catch (error) {
      this.options.onKeyVault?.(false);
      throw error;
    }
  }

  private async reloadAll(): Promise<void> {
    if (this.stopped) return;
    try {
      const resolved = await this.resolve([]);
      // The lease may have lapsed while key-vault answered: then these keys may predate a revocation.
      if (!this.lease.valid()) return;
      const next = new Map<string, ResolvedKey[]>();
      for (const key of resolved) next.set(key.provider, [...(next.get(key.provider) ?? []), key]);
      this.keys = next;
      this.needsReload = false;
      this.notify();
    } catch (error) {
      this.logger.warn({ err: error }, 'loading provider keys from key-vault failed; retrying');
      throw error;
    }
  }

  /** Swaps in the provider's current keys (or, failing that, drops the changed one), then confirms. */
  private async applyChange(change: KeyChangeAnnouncement, confirm: () => void): Promise<void> {
    if (this.stopped) return;
    if (this.applied.has(change.changeId)) return confirm();
    if (!this.checkLease()) {
      // Holding no key at all; the next renewal reloads them.
      this.remember(change.changeId);
      return confirm();
    }
    if (change.change === 'deleted' && change.provider === '') {
      // A delete retried after its record was gone (key-vault no longer knows the provider): the id is dropped wherever it is held.
      for (const [provider, keys] of this.keys) this.keys.set(provider, keys.filter((key) => key.id !== change.keyId));
      this.notify();
      this.remember(change.changeId);
      return confirm();
    }
    const matches = (key: ResolvedKey): boolean =>
      key.id !== change.keyId || (change.change !== 'deleted' && key.version >= change.version);
    try {
      const resolved = await this.resolve([change.provider]);
      this.keys.set(change.provider, resolved.filter(matches));
    } catch (error) {
      this.logger.error({ err: error, provider: change.provider }, 'reloading provider keys failed; dropping the changed key');
      this.keys.set(change.provider, (this.keys.get(change.provider) ?? []).filter((key) => key.id !== change.keyId));
      this.needsReload = true;
    }
    this.notify();
    this.remember(change.changeId);
    confirm();
  }

  private remember(changeId: string): void {
    this.applied.add(changeId);
    if (this.applied.size > REMEMBERED_CHANGES) this.applied.delete(this.applied.values().next().value as string);
  }

  private clear(): void {
    if (this.keys.size === 0) return;
    this.keys = new Map();
    this.notify();
  }

  private notify(): void {
    this.syncScrubber();
    this.withKeys = new Set([...this.keys.entries()].filter(([, list]) => list.length > 0).map(([provider]) => provider));
    for (const listener of this.listeners) listener();
  }

  /**
   * The log scrubber knows every key this cache holds, and no longer the plaintext of one it
   * dropped (deleted, rotated away): revoked keys do not stay in the router's memory there. A
   * request still under way with a dropped key is scrubbed by its attempt's own scrubber.
   */
  private syncScrubber(): void {
    const held = new Set<string>();
    for (const list of this.keys.values()) for (const key of list) held.add(key.secret);
    for (const secret of held) if (!this.scrubbed.has(secret)) secretScrubber.register(secret);
    for (const secret of this.scrubbed) if (!held.has(secret)) secretScrubber.forget(secret);
    this.scrubbed = held;
  }
}
