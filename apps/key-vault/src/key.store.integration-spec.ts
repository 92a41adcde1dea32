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
