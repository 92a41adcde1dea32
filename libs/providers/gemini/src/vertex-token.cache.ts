import { createHash } from 'node:crypto';
import { parseServiceAccount, ServiceAccountError, signedAssertion } from './vertex-service-account';

/** A token is renewed this long before it expires, so no request carries one that dies in flight. */
export const TOKEN_REFRESH_MARGIN_MS = 5 * 60 * 1000;
/** The token endpoint's whole answer must come within this (it is Google's, and fast). */
export const TOKEN_FETCH_TIMEOUT_MS = 10_000;
/** Keys whose tokens are held; past it the oldest is dropped (a token is cheap to mint again). */
export const MAX_CACHED_TOKENS = 1000;

export interface TokenExchangeAnswer {
  status: number;
  text: string;
}

/** POSTs a form to the token endpoint within `timeoutMs`; the adapter's HTTP client, bounded read included. */
export type TokenExchange = (tokenUri: string, form: string, timeoutMs: number) => Promise<TokenExchangeAnswer>;

/** The token endpoint refused the key (an OAuth error answer): the key is failing, like a 401. */
export class TokenRefusedError extends Error {
  constructor(
    readonly status: number,
    readonly oauthError: string,
  ) {
    super(`the token endpoint refused the Vertex service-account key (HTTP ${status}${oauthError ? `, ${oauthError}` : ''})`);
    this.name = 'TokenRefusedError';
  }
}

/** Where live tokens are registered so every scrubber (error texts, logs) replaces them. */
export interface SecretRegistry {
  register(secret: string): void;
  forget(secret: string): void;
}

interface CachedToken {
  token: string;
  refreshAtMs: number;
}

/**
 * Access tokens per service-account key, minted on first use and renewed shortly before they
 * expire. Concurrent requests for one key share one exchange. Keys are held by their SHA-256,
 * never as text. Each live token is registered with the process's secret scrubber (and forgotten
 * when replaced or dropped), so no error text or log line can carry it.
 */
export class VertexTokenCache {
  private readonly tokens = new Map<string, CachedToken>();
  private readonly inFlight = new Map<string, Promise<CachedToken>>();

  constructor(
    private readonly exchange: TokenExchange,
    private readonly secrets: SecretRegistry,
    private readonly nowMs: () => number = Date.now,
  ) {}

  /** A valid access token for the key; rejects with ServiceAccountError, TokenRefusedError, or the exchange's failure. */
  async accessToken(serviceAccountJson: string, signal: AbortSignal): Promise<string> {
    const id = createHash('sha256').update(serviceAccountJson).digest('hex');
    const cached = this.tokens.get(id);
    if (cached && cached.refreshAtMs > this.nowMs()) return cached.token;
    let pending = this.inFlight.get(id);
    if (!pending) {
      pending = this.mint(serviceAccountJson).finally(() => this.inFlight.delete(id));
      this.inFlight.set(id, pending);
      pending.then((token) => this.remember(id, token)).catch(() => undefined);
    }
    return (await raceWithSignal(pending, signal)).token;
  }

  /** Forgets every token (shutdown). */
  clear(): void {
    for (const cached of this.tokens.values()) this.secrets.forget(cached.token);
    this.tokens.clear();
  }

  private async mint(serviceAccountJson: string): Promise<CachedToken> {
    const account = parseServiceAccount(serviceAccountJson);
    const form = new URLSearchParams({ grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', assertion: signedAssertion(account, this.nowMs()) }).toString();
    const answer = await this.exchange(account.tokenUri, form, TOKEN_FETCH_TIMEOUT_MS);
    let body: Record<string, unknown> = {};
    try {
      const parsed: unknown = JSON.parse(answer.text);
      if (typeof parsed === 'object' && parsed !== null) body = parsed as Record<string, unknown>;
    } catch {
      // Not JSON: read as an answer without a token below.
    }
    if (answer.status < 200 || answer.status >= 300) {
      const oauthError = typeof body.error === 'string' && /^[a-z_]{1,64}$/.test(body.error) ? body.error : '';
      throw new TokenRefusedError(answer.status, oauthError);
    }
    const token = body.access_token;
    const expiresIn = Number(body.expires_in);
    if (typeof token !== 'string' || token === '' || !Number.isFinite(expiresIn) || expiresIn <= 0) {
      throw new ServiceAccountError('was exchanged for an answer without an access token');
    }
    // A short-lived token (under twice the margin) is renewed halfway through its life.
    const lifetimeMs = expiresIn * 1000;
    this.secrets.register(token);
    return { token, refreshAtMs: this.nowMs() + Math.max(lifetimeMs - TOKEN_REFRESH_MARGIN_MS, lifetimeMs / 2) };
  }

  private remember(id: string, token: CachedToken): void {
    const replaced = this.tokens.get(id);
    if (replaced) this.secrets.forget(replaced.token);
    this.tokens.delete(id);
    this.tokens.set(id, token);
    if (this.tokens.size > MAX_CACHED_TOKENS) {
      const [oldestId, oldest] = this.tokens.entries().next().value as [string, CachedToken];
      this.secrets.forget(oldest.token);
      this.tokens.delete(oldestId);
    }
  }
}

function raceWithSignal<T>(pending: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    pending.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}
