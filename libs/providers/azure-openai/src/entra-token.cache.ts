import { createHash } from 'node:crypto';
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

interface Entry {
  token?: CachedToken;
  /** The one token request in flight for this key (single flight). */
  pending?: Promise<CachedToken>;
}

export interface EntraTokenCacheOptions {
  post: TokenEndpointPost;
  /** Base URL of the identity platform (sovereign clouds, tests); default login.microsoftonline.com. */
  authorityHost?: string;
  now?: () => number;
}

/**
 * Entra ID access tokens per client credential (client credentials grant), cached in memory and
 * replaced before they expire. Concurrent requests for one key share one token request. The
 * client secret is only ever sent to the token endpoint; cache keys are its SHA-256. A token
 * leaves the adapter only in the Authorization header; the adapter scrubs it (and the secret)
 * from every provider text of the attempt that used it.
 */
export class EntraTokenCache {
  private readonly entries = new Map<string, Entry>();
  private readonly authorityHost: string;
  private readonly now: () => number;

  constructor(private readonly options: EntraTokenCacheOptions) {
    this.authorityHost = options.authorityHost || DEFAULT_AUTHORITY_HOST;
    this.now = options.now ?? Date.now;
  }

  /** A valid bearer token for the credentials; rejects with EntraTokenError, or when `signal` aborts. */
  async token(credentials: EntraClientCredentials, signal: AbortSignal): Promise<string> {
    const id = cacheKey(credentials);
    const entry = this.touch(id);
    const now = this.now();
    if (entry.token && now < entry.token.refreshAtMs) return entry.token.accessToken;
    const pending = entry.pending ?? this.refresh(entry, credentials);
    try {
      return (await abortable(pending, signal)).accessToken;
    } catch (error) {
      // The refresh failed but the token in hand has not lapsed yet: use it, try again next time.
      if (!signal.aborted && entry.token && this.now() < entry.token.expiresAtMs) return entry.token.accessToken;
      throw error;
    }
  }

  /** Drops the token of these credentials (Azure refused it): the next request fetches a new one. */
  invalidate(credentials: EntraClientCredentials): void {
    const entry = this.entries.get(cacheKey(credentials));
    if (entry) entry.token = undefined;
  }

  /** Forgets every token (shutdown). */
  clear(): void {
    this.entries.clear();
  }

  get size(): number {
    return this.entries.size;
  }

  private refresh(entry: Entry, credentials: EntraClientCredentials): Promise<CachedToken> {
    const pending = this.fetchToken(credentials).then((token) => {
      entry.token = token;
      return token;
    });
    entry.pending = pending;
    // Cleared whatever the outcome, so the next caller after a failure tries again.
    const settle = (): void => {
      if (entry.pending === pending) entry.pending = undefined;
    };
    pending.then(settle, settle);
    return pending;
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

  /** The entry for a key, made most recently used; the least recently used beyond the bound is dropped. */
  private touch(id: string): Entry {
    const existing = this.entries.get(id);
    if (existing) {
      this.entries.delete(id);
      this.entries.set(id, existing);
      return existing;
    }
    const entry: Entry = {};
    this.entries.set(id, entry);
    if (this.entries.size > MAX_CACHED_TOKENS) {
      const oldestId = this.entries.keys().next().value as string;
      this.entries.delete(oldestId);
    }
    return entry;
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
