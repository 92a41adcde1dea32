import { createHash } from 'node:crypto';
import { RenewedTokenCache, type IssuedToken, type SecretRegistry } from '@ai-gateway/provider-http';
import { parseServiceAccount, signedAssertion } from './vertex-service-account';

export { MAX_REFUSAL_BACKOFF_MS, REFUSAL_BACKOFF_MS, RENEWAL_RETRY_PAUSE_MS, type SecretRegistry } from '@ai-gateway/provider-http';

/** A token is renewed this long before it expires (or at half its life, when shorter), so no request carries one that dies in flight. */
export const TOKEN_REFRESH_MARGIN_MS = 5 * 60 * 1000;
/** The token endpoint's whole answer must come within this (it is Google's, and fast). */
export const TOKEN_FETCH_TIMEOUT_MS = 10_000;
/** Keys whose tokens are held; past it the least recently used is dropped (a token is cheap to mint again). */
export const MAX_CACHED_TOKENS = 1000;
/** Lifetimes outside [1 min, 1 day] are not what Google issues (1 h); clamped so a bad answer can neither pin a token forever nor mint one per request. */
export const MIN_TOKEN_LIFETIME_S = 60;
export const MAX_TOKEN_LIFETIME_S = 24 * 3600;
/** An access token longer than this is refused as malformed (Google's are a few hundred characters). */
export const MAX_ACCESS_TOKEN_LENGTH = 16 * 1024;
export interface TokenExchangeAnswer {
  status: number;
  text: string;
}

/** POSTs a form to the token endpoint within `timeoutMs`; the adapter's HTTP client, bounded read included. */
export type TokenExchange = (tokenUri: string, form: string, timeoutMs: number) => Promise<TokenExchangeAnswer>;

/** The token endpoint refused the key (a 4xx OAuth error answer other than 408 and 429): the key is failing, like a 401. */
export class TokenRefusedError extends Error {
  constructor(
    readonly status: number,
    readonly oauthError: string,
  ) {
    super(`the token endpoint refused the Vertex service-account key (HTTP ${status}${oauthError ? `, ${oauthError}` : ''})`);
    this.name = 'TokenRefusedError';
  }
}

/** The token endpoint could not give a token (429, 408, 5xx, or a 2xx without a usable one): Google's trouble, not the key's; retryable. */
export class TokenUnavailableError extends Error {
  constructor(
    readonly status: number,
    reason: string,
  ) {
    super(`the Vertex token endpoint ${reason}`);
    this.name = 'TokenUnavailableError';
  }
}

/** Logs a failure no request is waiting for (a background renewal); the logger scrubs secrets. */
export type LogTokenFailure = (message: string, detail: Record<string, unknown>) => void;

/**
 * Access tokens per service-account key, minted on first use and renewed shortly before they
 * expire. While a key's token is valid it is answered at once and renewed in the background;
 * a request waits only when there is no valid token. Concurrent requests for one key share one
 * exchange. A refusal is remembered for a backoff, so a failing key is not presented on every
 * request. Keys are held by their SHA-256, never as text. Each token is registered with the
 * process's secret scrubber until it expires (also when replaced or dropped earlier: requests
 * in flight may still carry it), so no error text or log line can carry it.
 */
export class VertexTokenCache {
  private readonly tokens: RenewedTokenCache<string>;

  constructor(
    private readonly exchange: TokenExchange,
    secrets: SecretRegistry,
    private readonly nowMs: () => number = Date.now,
    logFailure: LogTokenFailure = () => undefined,
  ) {
    this.tokens = new RenewedTokenCache<string>({
      fetch: (serviceAccountJson) => this.mint(serviceAccountJson),
      keyOf: keyId,
      isRefusal: (error) => error instanceof TokenRefusedError,
      secrets,
      onRenewalFailed: (error) => logFailure('Vertex access token renewal failed; the token in hand is used while it is valid', { error: reasonOf(error) }),
      maxEntries: MAX_CACHED_TOKENS,
      now: nowMs,
    });
  }

  /**
   * A valid access token for the key; rejects with ServiceAccountError, TokenRefusedError
   * (possibly remembered), TokenUnavailableError, the exchange's failure, or when `signal` aborts.
   */
  accessToken(serviceAccountJson: string, signal: AbortSignal): Promise<string> {
    return this.tokens.token(serviceAccountJson, signal);
  }

  /**
   * Stops serving the key's token (Google refused it: revoked, or expired early); the next request
   * mints a new one. With `rejectedToken`, only when that is still the token held.
   */
  invalidate(serviceAccountJson: string, rejectedToken?: string): void {
    this.tokens.invalidate(serviceAccountJson, rejectedToken);
  }

  /** Forgets every token (shutdown). */
  clear(): void {
    this.tokens.clear();
  }

  get size(): number {
    return this.tokens.size;
  }

  private async mint(serviceAccountJson: string): Promise<IssuedToken> {
    const account = parseServiceAccount(serviceAccountJson);
    const requestedAt = this.nowMs();
    const form = new URLSearchParams({ grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', assertion: signedAssertion(account, requestedAt) }).toString();
    const answer = await this.exchange(account.tokenUri, form, TOKEN_FETCH_TIMEOUT_MS);
    let body: Record<string, unknown> = {};
    try {
      const parsed: unknown = JSON.parse(answer.text);
      if (typeof parsed === 'object' && parsed !== null) body = parsed as Record<string, unknown>;
    } catch {
      // Not JSON: read as an answer without a token below.
    }
    if (answer.status < 200 || answer.status >= 300) throw tokenAnswerError(answer.status, body);
    const token = body.access_token;
    const seconds = Number(body.expires_in);
    if (typeof token !== 'string' || token === '' || token.length > MAX_ACCESS_TOKEN_LENGTH || !Number.isFinite(seconds)) {
      throw new TokenUnavailableError(answer.status, `answered HTTP ${answer.status} without a usable access token`);
    }
    const lifetimeMs = Math.min(MAX_TOKEN_LIFETIME_S, Math.max(MIN_TOKEN_LIFETIME_S, Math.floor(seconds))) * 1000;
    const margin = Math.min(TOKEN_REFRESH_MARGIN_MS, lifetimeMs / 2);
    return { token, expiresAtMs: requestedAt + lifetimeMs, refreshAtMs: requestedAt + lifetimeMs - margin };
  }
}

/** A non-2xx answer: a 4xx other than 408 and 429 refuses the key; anything else is the endpoint's trouble. */
function tokenAnswerError(status: number, body: Record<string, unknown>): TokenRefusedError | TokenUnavailableError {
  const oauthError = typeof body.error === 'string' && /^[a-z_]{1,64}$/.test(body.error) ? body.error : '';
  if (status >= 400 && status < 500 && status !== 408 && status !== 429) return new TokenRefusedError(status, oauthError);
  return new TokenUnavailableError(status, `failed (HTTP ${status}${oauthError ? `, ${oauthError}` : ''})`);
}

function keyId(serviceAccountJson: string): string {
  return createHash('sha256').update(serviceAccountJson).digest('hex');
}

/** A failure for the log: an Error's name and message, or what was thrown (the token fetch's timeout reason is an object). */
function reasonOf(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`.slice(0, 500);
  try {
    return JSON.stringify(error).slice(0, 500);
  } catch {
    return String(error).slice(0, 500);
  }
}
