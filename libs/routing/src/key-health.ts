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
  /** Until when each key cools, for the version (secret) the 429 was for: a rotated key does not cool. */
  private readonly coolUntil = new Map<string, { until: number; version: number }>();
  private readonly failingKeys = new Map<string, FailingKey & { version: number }>();
  /** When each key last answered 429 (least_recently_limited orders by it); forgotten with the key. */
  private readonly limitedAt = new Map<string, number>();

  constructor(private readonly now: () => number = Date.now) {}

  coolDown(key: KeyIdentity, ms: number): void {
    const name = nameOf(key);
    this.limitedAt.set(name, this.now());
    if (ms <= 0) return;
    const until = this.now() + ms;
    const known = this.coolUntil.get(name);
    if (!known || known.version !== key.version || known.until < until) this.coolUntil.set(name, { until, version: key.version });
  }

  /** Milliseconds the key still cools down; 0 when it may be used (or was rotated since its 429). */
  coolingFor(key: KeyIdentity): number {
    const name = nameOf(key);
    const known = this.coolUntil.get(name);
    if (known === undefined) return 0;
    const left = known.until - this.now();
    if (left > 0 && known.version === key.version) return left;
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
    for (const [name, known] of this.coolUntil) {
      if (versions.get(name) !== known.version) this.coolUntil.delete(name);
    }
    for (const name of this.limitedAt.keys()) {
      if (!versions.has(name)) this.limitedAt.delete(name);
    }
  }

  /** When the key last answered 429 (ms since the epoch), 0 when never. */
  lastLimitedAt(key: KeyIdentity): number {
    return this.limitedAt.get(nameOf(key)) ?? 0;
  }

  /** The key as an operator sees it: in the pool, cooling after a 429, or failing after a 401/403. */
  stateOf(key: KeyIdentity): KeyState {
    const lastLimitedAt = this.lastLimitedAt(key);
    if (this.isFailing(key)) {
      const known = this.failingKeys.get(nameOf(key));
      return { status: 'failing', failingSince: known?.since ?? 0, failingStatus: known?.status ?? 0, coolingUntil: 0, lastLimitedAt };
    }
    const cooling = this.coolingFor(key);
    if (cooling > 0) return { status: 'cooling', coolingUntil: this.now() + cooling, failingSince: 0, failingStatus: 0, lastLimitedAt };
    return { status: 'ok', coolingUntil: 0, failingSince: 0, failingStatus: 0, lastLimitedAt };
  }

  failing(): FailingKey[] {
    return [...this.failingKeys.values()].map(({ provider, keyId, status, since }) => ({ provider, keyId, status, since }));
  }
}

export type KeyStatus = 'ok' | 'cooling' | 'failing';

export interface KeyState {
  readonly status: KeyStatus;
  /** Ms since the epoch; 0 unless cooling. */
  readonly coolingUntil: number;
  /** Ms since the epoch; 0 unless failing. */
  readonly failingSince: number;
  /** The 401 or 403 that made it failing; 0 unless failing. */
  readonly failingStatus: number;
  /** Ms since the epoch of its last 429; 0 when never. */
  readonly lastLimitedAt: number;
}

/** How a provider's keys take turns (ProviderSettings.key_selection). */
export type KeySelection = 'round_robin' | 'least_recently_limited';

export const KEY_SELECTIONS: readonly KeySelection[] = ['round_robin', 'least_recently_limited'];

/**
 * The order in which `chooseKey` looks at a provider's keys, from `start` (the round robin's
 * turn): as they come, or (least_recently_limited) never-limited keys first, then by the age of
 * their last 429, the round robin breaking ties so equal keys still share the traffic.
 */
export function keyOrder<K extends KeyIdentity>(keys: readonly K[], start: number, health: KeyHealth, selection: KeySelection = 'round_robin'): K[] {
  const rotated = keys.length === 0 ? [] : [...keys.slice(start % keys.length), ...keys.slice(0, start % keys.length)];
  if (selection !== 'least_recently_limited') return rotated;
  return rotated
    .map((key, turn) => ({ key, turn, limited: health.lastLimitedAt(key) }))
    .sort((a, b) => a.limited - b.limited || a.turn - b.turn)
    .map((entry) => entry.key);
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
 * for). A failing key only when every key of the provider fails (it is still tried: its 401
 * is quick and moves on, and it shows the key is back); while a key that does not fail cools,
 * none is chosen and `coolingMs` is its wait, so the request answers 429 rather than resend a
 * key known to be refused.
 */
export function chooseKey<K extends KeyIdentity>(keys: readonly K[], start: number, health: KeyHealth, graceMs = 0): KeyChoice<K> {
  let failingChoice: K | undefined;
  let shortest = Infinity;
  let shortestWorking = Infinity;
  for (let i = 0; i < keys.length; i++) {
    const key = keys[(start + i) % keys.length];
    const cooling = health.coolingFor(key);
    const failing = health.isFailing(key);
    if (cooling > graceMs) {
      shortest = Math.min(shortest, cooling);
      if (!failing) shortestWorking = Math.min(shortestWorking, cooling);
      continue;
    }
    if (!failing) return { key, coolingMs: 0 };
    failingChoice ??= key;
  }
  if (Number.isFinite(shortestWorking)) return { key: undefined, coolingMs: shortestWorking };
  return { key: failingChoice, coolingMs: failingChoice || !Number.isFinite(shortest) ? 0 : shortest };
}
