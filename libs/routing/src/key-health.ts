/** A provider key as routing sees it: its id and version (a rotation bumps the version). */
export interface KeyIdentity {
  readonly provider: string;
  readonly id: string;
  readonly version: number;
}

export interface FailingKey {
  readonly provider: string;
  readonly keyId: string;
  readonly status: number;
  readonly since: number;
}

/**
 * Per-key state the failure taxonomy asks for: a 429 cools the key for its Retry-After
 * (and never counts towards the provider's breaker); a 401/403 marks it failing until it
 * is rotated, or until a request with it succeeds again.
 */
export class KeyHealth {
  private readonly coolUntil = new Map<string, number>();
  private readonly failingKeys = new Map<string, FailingKey & { version: number }>();

  constructor(private readonly now: () => number = Date.now) {}

  coolDown(key: KeyIdentity, ms: number): void {
    if (ms <= 0) return;
    const until = this.now() + ms;
    const name = nameOf(key);
    if ((this.coolUntil.get(name) ?? 0) < until) this.coolUntil.set(name, until);
  }

  /** Milliseconds the key still cools down; 0 when it may be used. */
  coolingFor(key: KeyIdentity): number {
    const name = nameOf(key);
    const until = this.coolUntil.get(name);
    if (until === undefined) return 0;
    const left = until - this.now();
    if (left > 0) return left;
    this.coolUntil.delete(name);
    return 0;
  }

  markFailing(key: KeyIdentity, status: number): void {
    const name = nameOf(key);
    const known = this.failingKeys.get(name);
    if (known?.version === key.version) return;
    this.failingKeys.set(name, { provider: key.provider, keyId: key.id, status, since: this.now(), version: key.version });
  }

  /** A request with the key succeeded: whatever failed before is over. */
  markWorking(key: KeyIdentity): void {
    if (this.failingKeys.size > 0) this.failingKeys.delete(nameOf(key));
  }

  /** Failing, unless it has been rotated since (another version). */
  isFailing(key: KeyIdentity): boolean {
    if (this.failingKeys.size === 0) return false;
    const name = nameOf(key);
    const known = this.failingKeys.get(name);
    if (!known) return false;
    if (known.version === key.version) return true;
    this.failingKeys.delete(name);
    return false;
  }

  /** Forgets keys that no longer exist (deleted) or were rotated; `current` lists every key held. */
  retain(current: readonly KeyIdentity[]): void {
    const versions = new Map(current.map((key) => [nameOf(key), key.version]));
    for (const [name, known] of this.failingKeys) {
      if (versions.get(name) !== known.version) this.failingKeys.delete(name);
    }
  }

  failing(): FailingKey[] {
    return [...this.failingKeys.values()].map(({ provider, keyId, status, since }) => ({ provider, keyId, status, since }));
  }
}

function nameOf(key: KeyIdentity): string {
  return `${key.provider}\u0000${key.id}`;
}

export interface KeyChoice<K extends KeyIdentity> {
  /** The key to use, or undefined when every key of the provider cools down. */
  readonly key: K | undefined;
  /** When every key cools down: the shortest wait. */
  readonly coolingMs: number;
}

/**
 * A key for the next attempt, starting at `start` (round robin): keys that cool down after
 * a 429 are skipped (unless only `graceMs` is left: a retry after the wait the 429 asked
 * for); failing keys only when no working one is left (a provider whose every
 * key fails is still tried: its 401 is quick and moves on, and it shows the key is back).
 */
export function chooseKey<K extends KeyIdentity>(keys: readonly K[], start: number, health: KeyHealth, graceMs = 0): KeyChoice<K> {
  let failingChoice: K | undefined;
  let shortest = Infinity;
  for (let i = 0; i < keys.length; i++) {
    const key = keys[(start + i) % keys.length];
    const cooling = health.coolingFor(key);
    if (cooling > graceMs) {
      shortest = Math.min(shortest, cooling);
      continue;
    }
    if (!health.isFailing(key)) return { key, coolingMs: 0 };
    failingChoice ??= key;
  }
  return { key: failingChoice, coolingMs: failingChoice || !Number.isFinite(shortest) ? 0 : shortest };
}
