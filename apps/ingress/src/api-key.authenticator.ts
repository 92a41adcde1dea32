import { createHash, timingSafeEqual } from 'node:crypto';
import { followConfigSnapshots } from '@ai-gateway/config-client';
import { ProviderModelCatalog } from '@ai-gateway/model-catalog';
import { type ApiKey, type ConfigServiceClient, type ConfigSnapshot, type Team } from '@ai-gateway/proto';
import type { Logger } from 'pino';

/** Gateway API keys by SHA-256, from config's snapshot watch: no config call per request. */
export class ApiKeyAuthenticator {
  private byHash = new Map<string, ApiKey>();
  private byId = new Map<string, ApiKey>();
  private teams = new Map<string, Team>();
  private fallbacks: Record<string, string[]> = {};
  private catalog = ProviderModelCatalog.fromSnapshot({ providers: [] });
  private revision = 0;
  private revisionWaiters: Array<{ revision: number; resolve: () => void }> = [];
  private loaded = false;
  private stopFollowing: (() => void) | undefined;
  private readonly adminToken: Buffer;

  constructor(
    private readonly config: ConfigServiceClient,
    adminToken: string,
    private readonly logger: Logger,
  ) {
    this.adminToken = Buffer.from(adminToken);
  }

  async start(): Promise<void> {
    this.stopFollowing = await followConfigSnapshots(this.config, (snapshot) => this.apply(snapshot), this.logger);
  }

  stop(): void {
    this.stopFollowing?.();
  }

  isLoaded(): boolean {
    return this.loaded;
  }

  /** The key entry for an `Authorization: Bearer` header, or undefined (unknown or expired). */
  authenticate(authorization: string | undefined, nowMs = Date.now()): ApiKey | undefined {
    const key = this.lookup(authorization);
    return key && !isExpired(key, nowMs) ? key : undefined;
  }

  /** The key entry for the header even when expired (to tell the client why), or undefined. */
  lookup(authorization: string | undefined): ApiKey | undefined {
    const token = bearer(authorization);
    if (!token) return undefined;
    return this.byHash.get(createHash('sha256').update(token).digest('hex'));
  }

  keyById(id: string): ApiKey | undefined {
    return this.byId.get(id);
  }

  team(id: string): Team | undefined {
    return id ? this.teams.get(id) : undefined;
  }

  teamList(): Team[] {
    return [...this.teams.values()];
  }

  /** The fallback map (model → fallback models), for pricing a request's dearest candidate. */
  fallbackMap(): Record<string, string[]> {
    return this.fallbacks;
  }

  /** The model catalog with config's overrides, over the configured providers: prices for admission, the admin's model list. */
  modelCatalog(): ProviderModelCatalog {
    return this.catalog;
  }

  /** Resolves once this replica applied config's snapshot of at least `revision` (bounded by `timeoutMs`). */
  whenRevision(revision: number, timeoutMs: number): Promise<void> {
    if (this.revision >= revision) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const waiter = { revision, resolve };
      this.revisionWaiters.push(waiter);
      setTimeout(() => {
        this.revisionWaiters = this.revisionWaiters.filter((w) => w !== waiter);
        resolve();
      }, timeoutMs).unref();
    });
  }

  isAdmin(authorization: string | undefined): boolean {
    const token = Buffer.from(bearer(authorization) ?? '');
    return token.length === this.adminToken.length && timingSafeEqual(token, this.adminToken);
  }

  private apply(snapshot: ConfigSnapshot): void {
    this.byHash = new Map(snapshot.apiKeys.map((key) => [key.keySha256, key]));
    this.byId = new Map(snapshot.apiKeys.map((key) => [key.id, key]));
    this.teams = new Map(snapshot.teams.map((team) => [team.id, team]));
    this.fallbacks = Object.fromEntries(Object.entries(snapshot.fallbacks).map(([model, list]) => [model, list.models]));
    this.catalog = ProviderModelCatalog.fromSnapshot(snapshot);
    this.revision = Math.max(this.revision, snapshot.revision);
    this.loaded = true;
    const ready = this.revisionWaiters.filter((w) => w.revision <= this.revision);
    this.revisionWaiters = this.revisionWaiters.filter((w) => w.revision > this.revision);
    for (const waiter of ready) waiter.resolve();
  }
}

function bearer(authorization: string | undefined): string | undefined {
  if (!authorization || !authorization.startsWith('Bearer ')) return undefined;
  const token = authorization.slice(7).trim();
  return token.length > 0 ? token : undefined;
}

export function isExpired(key: ApiKey, nowMs: number): boolean {
  return key.expiresAt !== '' && Date.parse(key.expiresAt) <= nowMs;
}
