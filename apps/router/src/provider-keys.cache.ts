import { firstValueFrom, Subject, type Subscription } from 'rxjs';
import { secretScrubber } from '@ai-gateway/logging';
import {
  KEY_VAULT_RESOLVE_SERVICE_NAME,
  type KeyChange,
  type KeyChangeAck,
  type KeyVaultResolveServiceClient,
  type ResolvedKey,
} from '@ai-gateway/proto';
import type { ClientGrpcProxy } from '@nestjs/microservices';
import type { Logger } from 'pino';

/**
 * Decrypted provider keys, in this process's memory only. Key-vault announces every
 * change; the cache drops the provider's keys, loads the current ones, and only then
 * confirms — so the admin call that changed a key returns after this replica let go of it.
 */
export class ProviderKeysCache {
  private keys = new Map<string, ResolvedKey[]>();
  private withKeys: ReadonlySet<string> = new Set();
  private readonly cursor = new Map<string, number>();
  private readonly client: KeyVaultResolveServiceClient;
  private subscription: Subscription | undefined;
  private acks: Subject<KeyChangeAck> | undefined;
  private stopped = false;
  private readonly listeners = new Set<() => void>();

  constructor(
    /** A client created with the router's service credential (createGrpcClient). */
    proxy: ClientGrpcProxy,
    private readonly replicaId: string,
    private readonly logger: Logger,
  ) {
    this.client = proxy.getService<KeyVaultResolveServiceClient>(KEY_VAULT_RESOLVE_SERVICE_NAME);
  }

  async start(): Promise<void> {
    await this.reloadAll();
    this.watch();
  }

  stop(): void {
    this.stopped = true;
    this.subscription?.unsubscribe();
    this.acks?.complete();
    this.clear();
  }

  /** Providers holding at least one key (recomputed on change, not per request). */
  providersWithKeys(): ReadonlySet<string> {
    return this.withKeys;
  }

  /** One of the provider's keys, round robin; undefined when it has none. */
  pick(provider: string): ResolvedKey | undefined {
    const list = this.keys.get(provider);
    if (!list || list.length === 0) return undefined;
    const next = ((this.cursor.get(provider) ?? -1) + 1) % list.length;
    this.cursor.set(provider, next);
    return list[next];
  }

  onChange(listener: () => void): void {
    this.listeners.add(listener);
  }

  private async reloadAll(): Promise<void> {
    const resolved = await firstValueFrom(this.client.resolveKeys({ providers: [] }));
    const next = new Map<string, ResolvedKey[]>();
    for (const key of resolved.keys) {
      secretScrubber.register(key.secret);
      next.set(key.provider, [...(next.get(key.provider) ?? []), key]);
    }
    this.keys = next;
    this.notify();
  }

  private async reloadProvider(provider: string): Promise<void> {
    const resolved = await firstValueFrom(this.client.resolveKeys({ providers: [provider] }));
    for (const key of resolved.keys) secretScrubber.register(key.secret);
    this.keys.set(provider, resolved.keys);
    this.notify();
  }

  private watch(): void {
    const acks = new Subject<KeyChangeAck>();
    this.acks = acks;
    this.subscription = this.client.watchKeyChanges(acks.asObservable()).subscribe({
      next: (change) => void this.applyChange(change, acks),
      error: (error: unknown) => this.broken(error),
      complete: () => this.broken(new Error('key change stream completed')),
    });
    acks.next({ replicaId: this.replicaId, sequence: 0 });
  }

  /** Swaps in the provider's current keys (or, failing that, drops the changed one), then confirms. */
  private async applyChange(change: KeyChange, acks: Subject<KeyChangeAck>): Promise<void> {
    try {
      await this.reloadProvider(change.provider);
    } catch (error) {
      this.logger.error({ err: error, provider: change.provider }, 'reloading provider keys failed; dropping the changed key');
      const remaining = (this.keys.get(change.provider) ?? []).filter((key) => key.id !== change.keyId);
      this.keys.set(change.provider, remaining);
      this.notify();
    }
    acks.next({ replicaId: this.replicaId, sequence: change.sequence });
  }

  /** Without the change stream this cache cannot know what was revoked: it holds nothing until it is back. */
  private broken(error: unknown): void {
    this.clear();
    if (this.stopped) return;
    this.logger.warn({ err: error }, 'key change stream broke; keys dropped, reconnecting');
    setTimeout(() => {
      if (this.stopped) return;
      this.reloadAll()
        .then(() => this.watch())
        .catch((reloadError: unknown) => this.broken(reloadError));
    }, 500).unref();
  }

  private clear(): void {
    this.keys = new Map();
    this.notify();
  }

  private notify(): void {
    this.withKeys = new Set([...this.keys.entries()].filter(([, list]) => list.length > 0).map(([provider]) => provider));
    for (const listener of this.listeners) listener();
  }
}
