/** A token as its issuer gave it: when it lapses, and when to renew it (ahead of that). */
export interface IssuedToken {
  token: string;
  expiresAtMs: number;
  refreshAtMs: number;
}

/** Where live tokens are registered so every scrubber (error texts, logs) replaces them. */
export interface SecretRegistry {
  register(secret: string): void;
  forget(secret: string): void;
}

export interface RenewedTokenCacheOptions<Credential> {
  /** Asks the issuer for a new token; rejects with why not. */
  fetch(credential: Credential): Promise<IssuedToken>;
  /** The cache key of a credential: a hash, never the secret itself. */
  keyOf(credential: Credential): string;
  /** The issuer refused the credential itself (not a failure of the issuer): remembered for a backoff. */
  isRefusal(error: unknown): boolean;
  /** Where tokens are registered while they live. */
  secrets: SecretRegistry;
  /** A failed renewal no request waits for (the token in hand still serves). */
  onRenewalFailed(error: unknown): void;
  /** Credentials whose tokens are kept; past it the least recently used goes. */
  maxEntries: number;
  now?: () => number;
}

/** A refused credential is not sent again for this long; its requests get the refusal from memory meanwhile. */
export const REFUSAL_BACKOFF_MS = 30_000;
/** Each refusal in a row doubles the backoff, up to this. */
export const MAX_REFUSAL_BACKOFF_MS = 5 * 60_000;
/** After a failed background renewal the next is tried no sooner than this (the token in hand still serves). */
export const RENEWAL_RETRY_PAUSE_MS = 10_000;

interface Entry {
  token?: IssuedToken;
  /** The one token request in flight for this credential (single flight). */
  pending?: Promise<IssuedToken>;
  /** The issuer's last refusal of this credential, answered from memory until `untilMs`. */
  refusal?: { error: unknown; untilMs: number; backoffMs: number };
  /** No background renewal before this (the last one failed). */
  renewAfterMs?: number;
}

/**
 * Access tokens per credential (Entra ID, Google OAuth), kept in memory and renewed before they
 * lapse. While a credential's token is valid it is answered at once and renewed in the
 * background; a request waits only when there is no valid token. Concurrent requests for one
 * credential share one token request. A refusal is remembered for a backoff that grows, so a
 * refused secret is not sent on every request. Each token is registered with `secrets` until it
 * expires, also when replaced or dropped earlier (requests in flight may still carry it).
 */
export class RenewedTokenCache<Credential> {
  private readonly entries = new Map<string, Entry>();
  /** Tokens no longer served but still registered, with when they expire. */
  private readonly retired = new Map<string, number>();
  private readonly now: () => number;

  constructor(private readonly options: RenewedTokenCacheOptions<Credential>) {
    this.now = options.now ?? Date.now;
  }

  /** A valid token for the credential; rejects with the issuer's failure (or a remembered refusal), or when `signal` aborts. */
  async token(credential: Credential, signal: AbortSignal): Promise<string> {
    const id = this.options.keyOf(credential);
    const entry = this.touch(id);
    const now = this.now();
    this.sweepRetired(now);
    const held = entry.token;
    if (held && now < held.expiresAtMs) {
      if (now >= held.refreshAtMs) this.renewInBackground(id, entry, credential);
      return held.token;
    }
    if (held) {
      // Expired: no longer served; it stays registered until the sweep.
      this.retire(held);
      entry.token = undefined;
    }
    if (entry.refusal && now < entry.refusal.untilMs) throw entry.refusal.error;
    return (await abortable(entry.pending ?? this.refresh(id, entry, credential), signal)).token;
  }

  /**
   * Stops serving the credential's token (the provider refused it); the next request asks for a
   * new one. With `rejectedToken`, only when that is still the token held, so a burst of refusals
   * of the old token does not drop its replacement.
   */
  invalidate(credential: Credential, rejectedToken?: string): void {
    const entry = this.entries.get(this.options.keyOf(credential));
    if (!entry?.token || (rejectedToken !== undefined && entry.token.token !== rejectedToken)) return;
    this.retire(entry.token);
    entry.token = undefined;
  }

  /** Forgets every token (shutdown). */
  clear(): void {
    for (const entry of this.entries.values()) if (entry.token) this.options.secrets.forget(entry.token.token);
    for (const token of this.retired.keys()) this.options.secrets.forget(token);
    this.entries.clear();
    this.retired.clear();
  }

  get size(): number {
    return this.entries.size;
  }

  /** One token request for the credential, shared by every caller; its outcome is kept on the entry. */
  private refresh(id: string, entry: Entry, credential: Credential): Promise<IssuedToken> {
    const pending = this.options.fetch(credential).then(
      (token) => {
        this.hold(id, entry, token);
        return token;
      },
      (error: unknown) => {
        if (this.options.isRefusal(error)) this.rememberRefusal(entry, error);
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

  /** Renews a token still valid, without anyone waiting: a failure is reported, and the token in hand serves until it expires. */
  private renewInBackground(id: string, entry: Entry, credential: Credential): void {
    const now = this.now();
    if (entry.pending || (entry.refusal && now < entry.refusal.untilMs) || (entry.renewAfterMs !== undefined && now < entry.renewAfterMs)) return;
    this.refresh(id, entry, credential).catch((error: unknown) => {
      entry.renewAfterMs = this.now() + RENEWAL_RETRY_PAUSE_MS;
      this.options.onRenewalFailed(error);
    });
  }

  /** The new token of an entry, registered; the one it replaces retires. An entry dropped while its token was fetched comes back. */
  private hold(id: string, entry: Entry, token: IssuedToken): void {
    this.options.secrets.register(token.token);
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
  private rememberRefusal(entry: Entry, error: unknown): void {
    const backoffMs = entry.refusal ? Math.min(entry.refusal.backoffMs * 2, MAX_REFUSAL_BACKOFF_MS) : REFUSAL_BACKOFF_MS;
    entry.refusal = { error, untilMs: this.now() + backoffMs, backoffMs };
  }

  /** The entry for a credential, made most recently used; the least recently used beyond the bound is dropped. */
  private touch(id: string): Entry {
    const entry = this.entries.get(id) ?? {};
    this.entries.delete(id);
    this.entries.set(id, entry);
    this.evictBeyondBound();
    return entry;
  }

  private evictBeyondBound(): void {
    while (this.entries.size > this.options.maxEntries) {
      const [oldestId, oldest] = this.entries.entries().next().value as [string, Entry];
      if (oldest.token) this.retire(oldest.token);
      this.entries.delete(oldestId);
    }
  }

  /** A token no longer served stays registered until it expires (requests in flight may carry it); the oldest go past the bound. */
  private retire(token: IssuedToken): void {
    this.retired.set(token.token, token.expiresAtMs);
    if (this.retired.size > this.options.maxEntries) {
      const oldest = this.retired.keys().next().value as string;
      this.options.secrets.forget(oldest);
      this.retired.delete(oldest);
    }
  }

  private sweepRetired(now: number): void {
    for (const [token, expiresAtMs] of this.retired) {
      if (now < expiresAtMs) continue;
      this.options.secrets.forget(token);
      this.retired.delete(token);
    }
  }
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
