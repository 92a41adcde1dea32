import { randomUUID } from 'node:crypto';
import { KmsError, KmsErrorCode, last4, openSecret, rewrapSecret, sealSecret, type KmsBackend } from '@ai-gateway/kms';
import { isKvWriteConflict, mirrorKv, type KV, type KvEntry } from '@ai-gateway/nats';
import type { ResolvedKey } from '@ai-gateway/proto';
import type { Logger } from 'pino';
import type { KeyRecord } from './key-record';
import { validateProviderSecret } from './provider-secret.validation';
import { KeyValidationError } from './key-validation.error';

const KEY_PREFIX = 'keys.';
/** What a key id may look like: one NATS KV key token (letters, digits, `_`, `-`), bounded. */
export const KEY_ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

export class KeyNotFoundError extends Error {
  constructor(id: string) {
    super(`no provider key with id "${id}"`);
  }
}

/** The record kept changing under a rotate or re-wrap, through other writers, for every attempt. */
export class KeyConflictError extends Error {
  constructor(id: string) {
    super(`provider key "${id}" is being changed by another admin call; try again`);
  }
}

const MAX_CHANGE_ATTEMPTS = 5;

export { KeyValidationError };

/**
 * Provider keys sealed with envelope encryption in a NATS KV bucket, mirrored in memory
 * (metadata and sealed form only). A write returns after JetStream acknowledged it.
 */
export class KeyStore {
  private readonly records = new Map<string, KeyRecord>();
  private stopWatch: (() => void) | undefined;
  /** Highest bucket revision the mirror applied. */
  private seen = 0;

  constructor(
    private readonly kv: KV,
    private readonly kms: KmsBackend,
    private readonly logger: Logger,
  ) {}

  async start(): Promise<void> {
    this.stopWatch = await mirrorKv(this.kv, `${KEY_PREFIX}>`, (entry) => this.apply(entry), this.logger);
  }

  stop(): void {
    this.stopWatch?.();
  }

  list(): KeyRecord[] {
    return [...this.records.values()].sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  }

  get(id: string): KeyRecord {
    const record = this.records.get(id);
    if (!record) throw new KeyNotFoundError(id);
    return record;
  }

  async add(provider: string, secret: string, name: string): Promise<KeyRecord> {
    validateProvider(provider);
    validateProviderSecret(secret);
    const id = `pk_${randomUUID().replace(/-/g, '').slice(0, 16)}`;
    const now = new Date().toISOString();
    const record: KeyRecord = {
      id,
      provider,
      name: name || `${provider}-${id.slice(-4)}`,
      last4: last4(secret),
      createdAt: now,
      rotatedAt: '',
      version: 1,
      sealed: await sealSecret(this.kms, secret, { provider, keyId: id }),
    };
    await this.kv.create(KEY_PREFIX + id, JSON.stringify(record));
    this.records.set(id, record);
    return record;
  }

  async rotate(id: string, secret: string): Promise<KeyRecord> {
    validateProviderSecret(secret);
    // An id that cannot be a KV key token (`pk_` + hex is what add() makes) names no key; NATS would
    // refuse it as a subject instead, and that is no reason for an internal error.
    if (!KEY_ID_PATTERN.test(id)) throw new KeyNotFoundError(id.slice(0, 64));
    let sealed: KeyRecord['sealed'] | undefined;
    const record = await this.change(id, async (previous) => {
      // The sealed form depends on the secret, the provider and the id only: sealed once, whatever the retries.
      sealed ??= await sealSecret(this.kms, secret, { provider: previous.provider, keyId: id });
      return { ...previous, last4: last4(secret), rotatedAt: new Date().toISOString(), version: previous.version + 1, sealed };
    });
    if (!record) throw new KeyNotFoundError(id);
    return record;
  }

  async delete(id: string): Promise<KeyRecord> {
    // A key added through another replica a moment ago is this replica's to delete too.
    await this.caughtUp();
    const record = this.get(id);
    await this.kv.purge(KEY_PREFIX + id);
    this.records.delete(id);
    return record;
  }

  /** Decrypts the keys of the given providers (all when empty). */
  async resolve(providers: string[]): Promise<ResolvedKey[]> {
    const wanted = new Set(providers);
    // Another key-vault replica may have committed a change a moment ago: answer only once this
    // replica's mirror holds everything the bucket held when the router asked.
    await this.caughtUp();
    const records = this.list().filter((r) => wanted.size === 0 || wanted.has(r.provider));
    const opened = await Promise.allSettled(records.map(async (r) => ({ id: r.id, provider: r.provider, version: r.version, secret: await openSecret(this.kms, r.sealed) })));
    const keys: ResolvedKey[] = [];
    const unreadable: Array<{ record: KeyRecord; error: unknown }> = [];
    opened.forEach((outcome, i) => (outcome.status === 'fulfilled' ? keys.push(outcome.value) : unreadable.push({ record: records[i], error: outcome.reason })));
    if (unreadable.length === 0) return keys;
    // KMS itself failing, or not one record opened: the caller keeps the keys it holds (static stability).
    if (keys.length === 0 || unreadable.some(({ error }) => !isRecordFault(error))) throw unreadable[0].error;
    // One record KMS will not open (its KMS key disabled, tampered with) must not block every other key.
    for (const { record, error } of unreadable) {
      this.logger.error({ keyId: record.id, provider: record.provider, code: (error as KmsError).code }, 'provider key cannot be opened; left out of the keys routers get');
    }
    return keys;
  }

  /** Moves every record's data key to another KMS key (KMS ReEncrypt: no plaintext leaves KMS). */
  async rewrapAll(toKmsKeyId: string): Promise<number> {
    // A key added through another replica a moment ago is moved too.
    await this.caughtUp();
    let moved = 0;
    for (const record of this.list()) {
      const rewrapped = await this.change(record.id, async (current) => ({ ...current, sealed: await rewrapSecret(this.kms, current.sealed, toKmsKeyId) }));
      if (rewrapped) moved++;
    }
    return moved;
  }

  /**
   * Writes `next(current)` over the record by compare-and-set on the revision read. Another writer
   * (a rotate, a re-wrap or a delete through any replica) committing in between makes it read again
   * and re-apply, so neither change is lost; undefined when the record is gone.
   */
  private async change(id: string, next: (current: KeyRecord) => Promise<KeyRecord>): Promise<KeyRecord | undefined> {
    for (let attempt = 1; ; attempt++) {
      const entry = await this.kv.get(KEY_PREFIX + id);
      if (!entry || entry.operation !== 'PUT') return undefined;
      const record = await next(entry.json<KeyRecord>());
      try {
        await this.kv.update(KEY_PREFIX + id, JSON.stringify(record), entry.revision);
      } catch (error) {
        if (!isKvWriteConflict(error)) throw error;
        if (attempt >= MAX_CHANGE_ATTEMPTS) throw new KeyConflictError(id);
        continue;
      }
      this.records.set(id, record);
      return record;
    }
  }

  /** Waits (up to 2 s, else throws) until the mirror applied the bucket's last revision. */
  private async caughtUp(): Promise<void> {
    const state = (await this.kv.status()).streamInfo.state;
    if (state.messages === 0) return;
    const until = Date.now() + 2_000;
    while (this.seen < state.last_seq) {
      if (Date.now() >= until) throw new Error('key records not caught up with the bucket');
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  }

  private apply(entry: KvEntry): void {
    this.seen = Math.max(this.seen, entry.revision);
    const id = entry.key.slice(KEY_PREFIX.length);
    if (entry.operation !== 'PUT') {
      this.records.delete(id);
      return;
    }
    try {
      this.records.set(id, entry.json<KeyRecord>());
    } catch (error) {
      this.logger.error({ err: error, keyId: id }, 'unreadable key record ignored');
    }
  }
}

function validateProvider(provider: string): void {
  if (!/^[a-z0-9][a-z0-9_-]{0,62}$/.test(provider)) throw new KeyValidationError('"provider" must be a provider id');
}

/** Failures of one sealed record while KMS answers; any other failure (KMS unreachable, unknown) is KMS's. */
const RECORD_FAULTS: ReadonlySet<string> = new Set([
  KmsErrorCode.DecryptRefused,
  KmsErrorCode.SealedSecretInvalid,
  KmsErrorCode.SealedSecretTampered,
  KmsErrorCode.KeyNotFound,
  KmsErrorCode.KeyDisabled,
]);

function isRecordFault(error: unknown): boolean {
  return error instanceof KmsError && RECORD_FAULTS.has(error.code);
}
