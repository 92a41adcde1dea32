import { createHash } from 'node:crypto';
import { secretScrubber } from '@ai-gateway/logging';
import type { ProviderError } from '@ai-gateway/openai-api';
import { RenewedTokenCache, type IssuedToken, type SecretRegistry } from '@ai-gateway/provider-http';
import type { EntraClientCredentials } from './azure-openai.credentials';
import { DEFAULT_AUTHORITY_HOST, entraTokenError, entraTokenRequest, readEntraToken } from './entra-token.wire';

export { MAX_REFUSAL_BACKOFF_MS, REFUSAL_BACKOFF_MS, RENEWAL_RETRY_PAUSE_MS, type SecretRegistry } from '@ai-gateway/provider-http';

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
  private readonly tokens: RenewedTokenCache<EntraClientCredentials>;
  private readonly authorityHost: string;
  private readonly now: () => number;

  constructor(private readonly options: EntraTokenCacheOptions) {
    this.authorityHost = options.authorityHost || DEFAULT_AUTHORITY_HOST;
    this.now = options.now ?? Date.now;
    this.tokens = new RenewedTokenCache<EntraClientCredentials>({
      fetch: (credentials) => this.fetchToken(credentials),
      keyOf: cacheKey,
      isRefusal: (error) => error instanceof EntraTokenError && error.error.code === 'entra_token_refused',
      secrets: options.secrets ?? secretScrubber,
      onRenewalFailed: (error) => {
        const reason = error instanceof Error ? error.message : String(error);
        options.logFailure?.('Entra ID token renewal failed; the token in hand is used while it is valid', { error: reason.slice(0, 500) });
      },
      maxEntries: MAX_CACHED_TOKENS,
      now: this.now,
    });
  }

  /** A valid bearer token for the credentials; rejects with EntraTokenError (possibly a remembered refusal), or when `signal` aborts. */
  token(credentials: EntraClientCredentials, signal: AbortSignal): Promise<string> {
    return this.tokens.token(credentials, signal);
  }

  /**
   * Stops serving the token of these credentials (Azure refused it): the next request fetches a
   * new one. With `rejectedToken`, only when that is still the token held.
   */
  invalidate(credentials: EntraClientCredentials, rejectedToken?: string): void {
    this.tokens.invalidate(credentials, rejectedToken);
  }

  /** Forgets every token (shutdown). */
  clear(): void {
    this.tokens.clear();
  }

  get size(): number {
    return this.tokens.size;
  }

  private async fetchToken(credentials: EntraClientCredentials): Promise<IssuedToken> {
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
    return { token: token.accessToken, expiresAtMs: requestedAt + lifetimeMs, refreshAtMs: requestedAt + lifetimeMs - margin };
  }
}

function cacheKey(credentials: EntraClientCredentials): string {
  return createHash('sha256').update(JSON.stringify([credentials.tenantId, credentials.clientId, credentials.clientSecret])).digest('hex');
}
