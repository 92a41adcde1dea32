import { createHash } from 'node:crypto';
import { secretScrubber } from '@ai-gateway/logging';
import type { ProviderError } from '@ai-gateway/openai-api';
import type { EntraClientCredentials } from './azure-openai.credentials';
import { DEFAULT_AUTHORITY_HOST, entraTokenError, entraTokenRequest, readEntraToken } from './entra-token.wire';

/** What the cache needs from HTTP: one form POST, its status and (bounded) body text. */
export type TokenEndpointPost = (url: string, form: string, signal: AbortSignal) => Promise<{ status: number; text: string }>;

/** A token is replaced this long before it expires (or at half its life, when shorter), so no request carries one about to lapse. */
export const TOKEN_REFRESH_MARGIN_MS = 5 * 60_000;
/** One token request may take this long; it is shared by every request waiting on the key, so no single caller's deadline cuts it. */
export const TOKEN_REQUEST_TIMEOUT_MS = 10_000;
/** Distinct client credentials whose tokens are kept; past it the least recently used goes (bounded memory). */
export const MAX_CACHED_TOKENS = 256;
/** A refused secret is not sent again for this long; its requests get the refusal from memory meanwhile. */
export const REFUSAL_BACKOFF_MS = 30_000;
/** Each refusal in a row doubles the backoff, up to this. */
export const MAX_REFUSAL_BACKOFF_MS = 5 * 60_000;
/** After a failed background renewal the next is tried no sooner than this (the token in hand still serves). */
export const RENEWAL_RETRY_PAUSE_MS = 10_000;

/** The token endpoint refused or could not be used. */
export class EntraTokenError extends Error {
  constructor(readonly error: ProviderError) {
    super(error.message);
    this.name = 'EntraTokenError';
  }
}

interface CachedToken {
  accessToken: string;
  expiresAtMs: number;
  refreshAtMs: number;
}

interface Refusal {
  error: EntraTokenError;
  untilMs: number;
  backoffMs: number;
}

interface Entry {
  token?: CachedToken;
  /** The one token request in flight for this key (single flight). */
  pending?: Promise<CachedToken>;
  /** The token endpoint's last refusal of this secret, answered from memory until `untilMs`. */
  refusal?: Refusal;
  /** No background renewal before this (the last one failed). */
  renewAfterMs?: number;
}

/** Where live tokens are registered so every scrubber (error texts, logs) replaces them. */
export interface SecretRegistry {
  register(secret: string): void;
  forget(secret: string): void;
}

export interface EntraTokenCacheOptions {
  post: TokenEndpointPost;
  /** Base URL of the identity platform (sovereign clouds, tests); default login.microsoftonline.com. */
  authorityHost?: string;
  now?: () => number;
  /** Where tokens are registered while they live; default the process's log scrubber. */
  secrets?: SecretRegistry;
  /** Logs a failure no request is waiting for (a background renewal); the logger scrubs secrets. */
  logFailure?: (message: string, detail: Record<string, unknown>) => void;
}

/**
 * Entra ID access tokens per client credential (client credentials grant), cached in memory and
 * replaced before they expire. While a credential's token is valid it is answered at once and
 * renewed in the background; a request waits only when there is no valid token. Concurrent
 * requests for one key share one token request. A refusal is remembered for a backoff, so a
 * failing secret is not sent on every request. The client secret is only ever sent to the token
 * endpoint; cache keys are its SHA-256. Each token is registered with the process's log scrubber
 * until it expires (also when replaced or dropped earlier: requests in flight may still carry
 * it); the adapter also scrubs it (and the secret) from every provider text of the attempt that
 * used it.
 */
export class EntraTokenCache {
  private readonly entries = new Map<string, Entry>();
  /** Tokens no longer served but still registered, with when they expire. */
  private readonly retired = new Map<string, number>();
  private readonly authorityHost: string;
  private readonly now: () => number;
  private readonly secrets: SecretRegistry;

  constructor(private readonly options: EntraTokenCacheOptions) {
    this.authorityHost = options.authorityHost || DEFAULT_AUTHORITY_HOST;
    this.now = options.now ?? Date.now;
    this.secrets = options.secrets ?? secretScrubber;
  }

  /** A valid bearer token for the credentials; rejects with EntraTokenError (possibly a remembered refusal), or when `signal` aborts. */
  async token(credentials: EntraClientCredentials, signal: AbortSignal): Promise<string> {
    const id = cacheKey(credentials);
    const entry = this.touch(id);
    const now = this.now();
    this.sweepRetired(now);
    const held = entry.token;
    if (held && now < held.expiresAtMs) {
      if (now >= held.refreshAtMs) this.renewInBackground(id, entry, credentials);
      return held.accessToken;
    }
    if (held) {
      // Expired: no longer served; it stays registered until the sweep.
      this.retire(held);
      entry.token = undefined;
    }
    if (entry.refusal && now < entry.refusal.untilMs) throw entry.refusal.error;
    return (await abortable(entry.pending ?? this.refresh(id, entry, credentials), signal)).accessToken;
  }

  /**
   * Stops serving the token of these credentials (Azure refused it): the next request fetches a
   * new one. With `rejectedToken`, only when that is still the token held, so a burst of refusals
   * of the old token does not drop its replacement.
   */
  invalidate(credentials: EntraClientCredentials, rejectedToken?: string): void {
    const entry = this.entries.get(cacheKey(credentials));
    if (!entry?.token || (rejectedToken !== undefined && entry.token.accessToken !== rejectedToken)) return;
    this.retire(entry.token);
    entry.token = undefined;
  }

  /** Forgets every token (shutdown). */
  clear(): void {
    for (const entry of this.entries.values()) if (entry.token) this.secrets.forget(entry.token.accessToken);
    for (const token of this.retired.keys()) this.secrets.forget(token);
    this.entries.clear();
    this.retired.clear();
  }

  get size(): number {
    return this.entries.size;
  }

  /** One token request for the key, shared by every caller; its outcome is kept on the entry. */
  private refresh(id: string, entry: Entry, credentials: EntraClientCredentials): Promise<CachedToken> {
    const pending = this.fetchToken(credentials).then(
      (token) => {
        this.hold(id, entry, token);
        return token;
      },
      (error: unknown) => {
        if (error instanceof EntraTokenError && error.error.code === 'entra_token_refused') this.rememberRefusal(entry, error);
        throw error;
      },
    );
    entry.pending = pending;
    // Cleared whatever the outcome, so the next caller after a failure tries again.
    const settle = (): void => {
      if (entry.pending === pending) entry.pending = undefined;
    };
    pending.then(settle, settle);
    return pending;
  }

  /** Renews a token still valid, without anyone waiting: a failure is logged, and the token in hand serves until it expires. */
  private renewInBackground(id: string, entry: Entry, credentials: EntraClientCredentials): void {
    const now = this.now();
    if (entry.pending || (entry.refusal && now < entry.refusal.untilMs) || (entry.renewAfterMs !== undefined && now < entry.renewAfterMs)) return;
    this.refresh(id, entry, credentials).catch((error: unknown) => {
      entry.renewAfterMs = this.now() + RENEWAL_RETRY_PAUSE_MS;
      const reason = error instanceof Error ? error.message : String(error);
      this.options.logFailure?.('Entra ID token renewal failed; the token in hand is used while it is valid', { error: reason.slice(0, 500) });
    });
  }

  private async fetchToken(credentials: EntraClientCredentials): Promise<CachedToken> {
    const request = entraTokenRequest(this.authorityHost, credentials);
    const requestedAt = this.now();
    let answer: { status: number; text: string };
    try {
      answer = await this.options.post(request.url, request.body, AbortSignal.timeout(TOKEN_REQUEST_TIMEOUT_MS));
    } catch (error) {
      const reason = error instanceof Error && error.name === 'TimeoutError' ? `no answer within ${TOKEN_REQUEST_TIMEOUT_MS} ms` : 'connection failed';
      throw new EntraTokenError({
        status: 502,
        upstreamStatus: 503,
        type: 'api_error',
        code: 'entra_token_unavailable',
        param: null,
        message: `Entra ID token endpoint unreachable (${reason})`,
        retryable: true,
      });
    }
    if (answer.status !== 200) throw new EntraTokenError(entraTokenError(answer.status, answer.text));
    const token = readEntraToken(answer.text);
    if (!token) {
      throw new EntraTokenError({
        status: 502,
        upstreamStatus: 503,
        type: 'api_error',
        code: 'entra_token_malformed',
        param: null,
        message: 'Entra ID token endpoint answered 200 without a usable bearer token',
        retryable: true,
      });
    }
    const lifetimeMs = token.expiresInSeconds * 1000;
    const margin = Math.min(TOKEN_REFRESH_MARGIN_MS, lifetimeMs / 2);
    return { accessToken: token.accessToken, expiresAtMs: requestedAt + lifetimeMs, refreshAtMs: requestedAt + lifetimeMs - margin };
  }

  /** The new token of an entry, registered; the one it replaces retires. An entry dropped while its token was fetched comes back. */
  private hold(id: string, entry: Entry, token: CachedToken): void {
    this.secrets.register(token.accessToken);
    if (entry.token) this.retire(entry.token);
    entry.token = token;
    entry.refusal = undefined;
    entry.renewAfterMs = undefined;
    const current = this.entries.get(id);
    if (current === entry) return;
    if (current?.token) this.retire(current.token);
    this.entries.delete(id);
    this.entries.set(id, entry);
    this.evictBeyondBound();
  }

  /** A refusal remembered for a backoff that doubles with each refusal in a row. */
  private rememberRefusal(entry: Entry, error: EntraTokenError): void {
    const backoffMs = entry.refusal ? Math.min(entry.refusal.backoffMs * 2, MAX_REFUSAL_BACKOFF_MS) : REFUSAL_BACKOFF_MS;
    entry.refusal = { error, untilMs: this.now() + backoffMs, backoffMs };
  }

  /** The entry for a key, made most recently used; the least recently used beyond the bound is dropped. */
  private touch(id: string): Entry {
    const entry = this.entries.get(id) ?? {};
    this.entries.delete(id);
    this.entries.set(id, entry);
    this.evictBeyondBound();
    return entry;
  }

  private evictBeyondBound(): void {
    while (this.entries.size > MAX_CACHED_TOKENS) {
      const [oldestId, oldest] = this.entries.entries().next().value as [string, Entry];
      if (oldest.token) this.retire(oldest.token);
      this.entries.delete(oldestId);
    }
  }

  /** A token no longer served stays registered until it expires (requests in flight may carry it); the oldest go past the bound. */
  private retire(token: CachedToken): void {
    this.retired.set(token.accessToken, token.expiresAtMs);
    if (this.retired.size > MAX_CACHED_TOKENS) {
      const oldest = this.retired.keys().next().value as string;
      this.secrets.forget(oldest);
      this.retired.delete(oldest);
    }
  }

  private sweepRetired(now: number): void {
    for (const [token, expiresAtMs] of this.retired) {
      if (now < expiresAtMs) continue;
      this.secrets.forget(token);
      this.retired.delete(token);
    }
  }
}

function cacheKey(credentials: EntraClientCredentials): string {
  return createHash('sha256').update(JSON.stringify([credentials.tenantId, credentials.clientId, credentials.clientSecret])).digest('hex');
}

/** `promise`, or a rejection as soon as `signal` aborts (the shared request itself goes on for the others). */
function abortable<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason ?? new Error('aborted'));
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason ?? new Error('aborted'));
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
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
