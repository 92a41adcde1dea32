import { createHash } from 'node:crypto';
import { parseServiceAccount, signedAssertion } from './vertex-service-account';

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
/** A refused key is not presented again for this long; its requests get the refusal from memory meanwhile. */
export const REFUSAL_BACKOFF_MS = 30_000;
/** Each refusal in a row doubles the backoff, up to this. */
export const MAX_REFUSAL_BACKOFF_MS = 5 * 60_000;
/** After a failed background renewal the next is tried no sooner than this (the token in hand still serves). */
export const RENEWAL_RETRY_PAUSE_MS = 10_000;

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

/** Where live tokens are registered so every scrubber (error texts, logs) replaces them. */
export interface SecretRegistry {
  register(secret: string): void;
  forget(secret: string): void;
}

/** Logs a failure no request is waiting for (a background renewal); the logger scrubs secrets. */
export type LogTokenFailure = (message: string, detail: Record<string, unknown>) => void;

interface CachedToken {
  token: string;
  expiresAtMs: number;
  refreshAtMs: number;
}

interface Refusal {
  error: TokenRefusedError;
  untilMs: number;
  backoffMs: number;
}

interface Entry {
  token?: CachedToken;
  /** The one exchange in flight for this key (single flight). */
  pending?: Promise<CachedToken>;
  /** The token endpoint's last refusal of this key, answered from memory until `untilMs`. */
  refusal?: Refusal;
  /** No background renewal before this (the last one failed). */
  renewAfterMs?: number;
}

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
  private readonly entries = new Map<string, Entry>();
  /** Tokens no longer served but still registered, with when they expire. */
  private readonly retired = new Map<string, number>();

  constructor(
    private readonly exchange: TokenExchange,
    private readonly secrets: SecretRegistry,
    private readonly nowMs: () => number = Date.now,
    private readonly logFailure: LogTokenFailure = () => undefined,
  ) {}

  /**
   * A valid access token for the key; rejects with ServiceAccountError, TokenRefusedError
   * (possibly remembered), TokenUnavailableError, the exchange's failure, or when `signal` aborts.
   */
  async accessToken(serviceAccountJson: string, signal: AbortSignal): Promise<string> {
    const id = keyId(serviceAccountJson);
    const entry = this.touch(id);
    const now = this.nowMs();
    this.sweepRetired(now);
    const held = entry.token;
    if (held && now < held.expiresAtMs) {
      if (now >= held.refreshAtMs) this.renewInBackground(id, entry, serviceAccountJson);
      return held.token;
    }
    if (held) {
      // Expired: no longer served; it stays registered until the sweep.
      this.retire(held);
      entry.token = undefined;
    }
    if (entry.refusal && now < entry.refusal.untilMs) throw entry.refusal.error;
    return (await raceWithSignal(entry.pending ?? this.refresh(id, entry, serviceAccountJson), signal)).token;
  }

  /**
   * Stops serving the key's token (Google refused it: revoked, or expired early); the next request
   * mints a new one. With `rejectedToken`, only when that is still the token held, so a burst of
   * refusals of the old token does not drop its replacement.
   */
  invalidate(serviceAccountJson: string, rejectedToken?: string): void {
    const entry = this.entries.get(keyId(serviceAccountJson));
    if (!entry?.token || (rejectedToken !== undefined && entry.token.token !== rejectedToken)) return;
    this.retire(entry.token);
    entry.token = undefined;
  }

  /** Forgets every token (shutdown). */
  clear(): void {
    for (const entry of this.entries.values()) if (entry.token) this.secrets.forget(entry.token.token);
    for (const token of this.retired.keys()) this.secrets.forget(token);
    this.entries.clear();
    this.retired.clear();
  }

  get size(): number {
    return this.entries.size;
  }

  /** One exchange for the key, shared by every caller; its outcome is kept on the entry. */
  private refresh(id: string, entry: Entry, serviceAccountJson: string): Promise<CachedToken> {
    const pending = this.mint(serviceAccountJson).then(
      (token) => {
        this.hold(id, entry, token);
        return token;
      },
      (error: unknown) => {
        if (error instanceof TokenRefusedError) this.rememberRefusal(entry, error);
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
  private renewInBackground(id: string, entry: Entry, serviceAccountJson: string): void {
    const now = this.nowMs();
    if (entry.pending || (entry.refusal && now < entry.refusal.untilMs) || (entry.renewAfterMs !== undefined && now < entry.renewAfterMs)) return;
    this.refresh(id, entry, serviceAccountJson).catch((error: unknown) => {
      entry.renewAfterMs = this.nowMs() + RENEWAL_RETRY_PAUSE_MS;
      this.logFailure('Vertex access token renewal failed; the token in hand is used while it is valid', { error: reasonOf(error) });
    });
  }

  private async mint(serviceAccountJson: string): Promise<CachedToken> {
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

  /** The new token of an entry, registered; the one it replaces retires. An entry dropped while its token was minted comes back. */
  private hold(id: string, entry: Entry, token: CachedToken): void {
    this.secrets.register(token.token);
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
  private rememberRefusal(entry: Entry, error: TokenRefusedError): void {
    const backoffMs = entry.refusal ? Math.min(entry.refusal.backoffMs * 2, MAX_REFUSAL_BACKOFF_MS) : REFUSAL_BACKOFF_MS;
    entry.refusal = { error, untilMs: this.nowMs() + backoffMs, backoffMs };
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
    this.retired.set(token.token, token.expiresAtMs);
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
