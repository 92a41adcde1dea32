import { createHash, timingSafeEqual } from 'node:crypto';
import { followConfigSnapshots } from '@ai-gateway/config-client';
import { type ApiKey, type ConfigServiceClient, type ConfigSnapshot } from '@ai-gateway/proto';
import type { Logger } from 'pino';

/** Gateway API keys by SHA-256, from config's snapshot watch: no config call per request. */
export class ApiKeyAuthenticator {
  private byHash = new Map<string, ApiKey>();
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

  /** The key entry for an `Authorization: Bearer` header, or undefined. */
  authenticate(authorization: string | undefined): ApiKey | undefined {
    const token = bearer(authorization);
    if (!token) return undefined;
    return this.byHash.get(createHash('sha256').update(token).digest('hex'));
  }

  isAdmin(authorization: string | undefined): boolean {
    const token = Buffer.from(bearer(authorization) ?? '');
    return token.length === this.adminToken.length && timingSafeEqual(token, this.adminToken);
  }

  private apply(snapshot: ConfigSnapshot): void {
    this.byHash = new Map(snapshot.apiKeys.map((key) => [key.keySha256, key]));
    this.loaded = true;
  }
}

function bearer(authorization: string | undefined): string | undefined {
  if (!authorization || !authorization.startsWith('Bearer ')) return undefined;
  const token = authorization.slice(7).trim();
  return token.length > 0 ? token : undefined;
}
