// KeyStore against a real nats-server and the local KMS: one record KMS will not open (tampered,
// its KMS key gone) is left out of what routers get instead of failing every key; with nothing
// opened at all the resolve fails, so a router keeps the keys it holds.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { LocalKmsBackend } from '@ai-gateway/kms';
import { closeNats, connectNats, KV_BUCKETS, openKvBucket, type KV, type NatsConnection } from '@ai-gateway/nats';
import { startNatsServer, type NatsServerHandle } from '@ai-gateway/testing';
import type { KeyRecord } from './key-record';
import { KeyStore } from './key.store';

describe('KeyStore.resolve with a record KMS will not open', () => {
  let nats: NatsServerHandle;
  let nc: NatsConnection;
  let kv: KV;
  let dataDir: string;
  let store: KeyStore;
  const logged: string[] = [];

  beforeAll(async () => {
    nats = await startNatsServer();
    nc = await connectNats(nats.url, 'key-store-spec');
    kv = await openKvBucket(nc, KV_BUCKETS.providerKeys, 1);
    dataDir = mkdtempSync(join(tmpdir(), 'key-store-kms-'));
    const logger = pino({ level: 'info' }, { write: (line: string) => void logged.push(line) });
    store = new KeyStore(kv, new LocalKmsBackend({ dataDir }), logger);
    await store.start();
  });

  afterAll(async () => {
    store.stop();
    await closeNats(nc);
    await nats.dispose();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('gives the keys it can open and leaves the tampered one out, naming it in the log', async () => {
    const good = await store.add('openai', 'sk-proj-goodKey0123456789abcdefABCDEF0123', 'good');
    const bad = await store.add('anthropic', 'sk-ant-api03-badKey0123456789abcdefABCDEF', 'bad');
    // Its ciphertext altered in the bucket: AES-GCM refuses to open it.
    const entry = await kv.get(`keys.${bad.id}`);
    const record = entry?.json<KeyRecord>() as KeyRecord;
    const ciphertext = Buffer.from(record.sealed.ciphertext, 'base64');
    ciphertext[0] ^= 0xff;
    await kv.put(`keys.${bad.id}`, JSON.stringify({ ...record, sealed: { ...record.sealed, ciphertext: ciphertext.toString('base64') } }));

    const resolved = await store.resolve([]);
    expect(resolved.map((key) => key.id)).toEqual([good.id]);
    expect(resolved[0].secret).toBe('sk-proj-goodKey0123456789abcdefABCDEF0123');
    expect(logged.join('\n')).toMatch(new RegExp(`"keyId":"${bad.id}".*provider key cannot be opened`));
    expect(logged.join('\n')).not.toContain('badKey0123456789');

    // Nothing opened at all: the resolve fails, and a router keeps what it holds.
    await expect(store.resolve(['anthropic'])).rejects.toMatchObject({ code: expect.stringMatching(/^KMS_/) });
  });
});

describe('KeyStore changes racing through two replicas', () => {
  let nats: NatsServerHandle;
  let nc: NatsConnection;
  let kv: KV;
  let dataDir: string;
  let kms: LocalKmsBackend;
  let first: KeyStore;
  let second: KeyStore;
  /** Holds the first replica's KMS calls for one key until released: its change has read the record, then waits. */
  let release: () => void = () => undefined;
  let held: Promise<void> = Promise.resolve();
  let heldKey = '';
  const gate = async (context: { keyId?: string }): Promise<void> => {
    if (context.keyId === heldKey) await held;
  };

  beforeAll(async () => {
    nats = await startNatsServer();
    nc = await connectNats(nats.url, 'key-store-race-spec');
    kv = await openKvBucket(nc, KV_BUCKETS.providerKeys, 1);
    dataDir = mkdtempSync(join(tmpdir(), 'key-store-race-'));
    kms = new LocalKmsBackend({ dataDir });
    const gated = Object.assign(Object.create(kms) as LocalKmsBackend, {
      generateDataKey: async (...args: Parameters<LocalKmsBackend['generateDataKey']>) => {
        await gate(args[0]);
        return kms.generateDataKey(...args);
      },
      reEncrypt: async (...args: Parameters<LocalKmsBackend['reEncrypt']>) => {
        await gate(args[1]);
        return kms.reEncrypt(...args);
      },
    });
    const logger = pino({ level: 'silent' });
    first = new KeyStore(kv, gated, logger);
    second = new KeyStore(kv, kms, logger);
    await first.start();
    await second.start();
  });

  afterAll(async () => {
    first.stop();
    second.stop();
    await closeNats(nc);
    await nats.dispose();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const hold = (keyId: string): void => {
    heldKey = keyId;
    held = new Promise((resolve) => (release = resolve));
  };
  const secretOf = async (store: KeyStore, id: string): Promise<string | undefined> => (await store.resolve(['openai'])).find((key) => key.id === id)?.secret;

  it('two rotates of one key both take effect, one after the other, instead of one failing', async () => {
    const key = await second.add('openai', 'sk-proj-raceOriginal0123456789abcdefABCDEF', 'race');
    hold(key.id);
    const slow = first.rotate(key.id, 'sk-proj-raceSlowRotate0123456789abcdefABCD');
    await new Promise((resolve) => setTimeout(resolve, 50));
    // The other replica rotates while the first holds the revision it read.
    const fast = await second.rotate(key.id, 'sk-proj-raceFastRotate0123456789abcdefABCD');
    expect(fast.version).toBe(2);
    release();
    const late = await slow;
    expect(late.version).toBe(3);
    expect(await secretOf(second, key.id)).toBe('sk-proj-raceSlowRotate0123456789abcdefABCD');
  });

  it('a rotate that loses to a delete of its key is not found, not an internal error', async () => {
    const key = await second.add('openai', 'sk-proj-raceDeleted0123456789abcdefABCDEF0', 'deleted');
    hold(key.id);
    const rotate = first.rotate(key.id, 'sk-proj-raceAfterDelete0123456789abcdefABC');
    await new Promise((resolve) => setTimeout(resolve, 50));
    await second.delete(key.id);
    release();
    await expect(rotate).rejects.toThrow(`no provider key with id "${key.id}"`);
    expect(await secretOf(second, key.id)).toBeUndefined();
  });

  it('a re-wrap racing a rotate keeps the rotated secret and moves it', async () => {
    const key = await second.add('openai', 'sk-proj-raceRewrap0123456789abcdefABCDEF01', 'rewrap');
    hold(key.id);
    // The local backend has one KMS key: a re-wrap to it still wraps each data key anew.
    const rewrap = first.rewrapAll(kms.keyId);
    await new Promise((resolve) => setTimeout(resolve, 50));
    await second.rotate(key.id, 'sk-proj-raceRotatedDuringRewrap0123456789ab');
    const rotated = (await kv.get(`keys.${key.id}`))?.json<KeyRecord>();
    release();
    expect(await rewrap).toBeGreaterThanOrEqual(1);
    const stored = (await kv.get(`keys.${key.id}`))?.json<KeyRecord>();
    expect(stored?.version).toBe(2);
    expect(stored?.sealed.ciphertext).toBe(rotated?.sealed.ciphertext);
    expect(stored?.sealed.encryptedDataKey).not.toBe(rotated?.sealed.encryptedDataKey);
    expect(await secretOf(second, key.id)).toBe('sk-proj-raceRotatedDuringRewrap0123456789ab');
  });
});
