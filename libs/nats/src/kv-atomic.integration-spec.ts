import { jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import { startNatsServer, type NatsServerHandle } from '@ai-gateway/testing';
import { enableAtomicKvBatches, KvBatchConflict, kvBatchWriter } from './kv-atomic';
import { openKvBucket, type KV } from './kv-buckets';
import { connectNats } from './nats-connection';

// Atomic batches to a KV bucket against a real nats-server: all of a batch or none of it.
describe('atomic KV batches (real nats-server)', () => {
  let nats: NatsServerHandle;
  let nc: NatsConnection;
  let kv: KV;
  const bucket = 'atomic_spec';

  beforeAll(async () => {
    nats = await startNatsServer();
    nc = await connectNats(nats.url, 'kv-atomic-spec');
    kv = await openKvBucket(nc, bucket, 1);
  });

  afterAll(async () => {
    await nc?.drain();
    await nats?.dispose();
  });

  it('is refused by a bucket that does not take atomic batches yet, with the server reason', async () => {
    await expect(kvBatchWriter(nc, bucket)([{ key: 'a', value: '1' }, { key: 'b', value: '2' }])).rejects.toThrow(/atomic publish is disabled/);
    expect(await kv.get('a')).toBeNull();
  });

  it('enables atomic batches on the bucket once; opening the bucket again keeps them', async () => {
    expect(await enableAtomicKvBatches(nc, bucket)).toBe(true);
    expect(await enableAtomicKvBatches(nc, bucket)).toBe(true);
    await openKvBucket(nc, bucket, 1);
    const jsm = await jetstreamManager(nc);
    expect((await jsm.streams.info(`KV_${bucket}`)).config.allow_atomic).toBe(true);
  });

  it('writes every entry of a batch, answering the last one revision, and writes delete markers a KV watch reads as deletes', async () => {
    const write = kvBatchWriter(nc, bucket);
    const revision = await write([{ key: 'x', value: 'one' }, { key: 'y', value: 'two' }, { key: 'gate', value: 'g', expectRevision: 0 }]);
    expect((await kv.get('gate'))?.revision).toBe(revision);
    expect((await kv.get('x'))?.string()).toBe('one');
    expect((await kv.get('y'))?.revision).toBe(revision - 1);
    await write([{ key: 'x' }, { key: 'gate', value: 'h', expectRevision: revision }]);
    expect((await kv.get('x'))?.operation).toBe('DEL');
    const keys: string[] = [];
    for await (const key of await kv.keys()) keys.push(key);
    expect(keys.sort()).toEqual(['gate', 'y']);
  });

  it('writes nothing of a batch whose expected revision no longer holds, and says it is a conflict', async () => {
    const write = kvBatchWriter(nc, bucket);
    const gate = (await kv.get('gate'))?.revision ?? -1;
    const before = (await kv.status()).values;
    const stale = write([{ key: 'z', value: 'lost' }, { key: 'gate', value: 'stale', expectRevision: gate - 1 }]);
    await expect(stale).rejects.toBeInstanceOf(KvBatchConflict);
    expect(await kv.get('z')).toBeNull();
    expect((await kv.status()).values).toBe(before);
    // A single write is a batch too (the commit on its first message).
    await expect(write([{ key: 'gate', value: 'again', expectRevision: gate - 1 }])).rejects.toBeInstanceOf(KvBatchConflict);
    expect(await write([{ key: 'gate', value: 'now', expectRevision: gate }])).toBe(gate + 1);
  });

  it('of eight batches racing on one expected revision, exactly one is written', async () => {
    const write = kvBatchWriter(nc, bucket);
    const gate = (await kv.get('gate'))?.revision ?? -1;
    const racing = await Promise.allSettled(
      Array.from({ length: 8 }, (_, i) => write([{ key: `racer-${i}`, value: String(i) }, { key: 'gate', value: `racer ${i}`, expectRevision: gate }])),
    );
    const won = racing.flatMap((result, i) => (result.status === 'fulfilled' ? [i] : []));
    expect(won).toHaveLength(1);
    expect(racing.filter((result) => result.status === 'rejected' && result.reason instanceof KvBatchConflict)).toHaveLength(7);
    const racers: string[] = [];
    for await (const key of await kv.keys()) if (key.startsWith('racer-')) racers.push(key);
    expect(racers).toEqual([`racer-${won[0]}`]);
  });

  it('refuses an empty batch or one over the server limit before sending anything', async () => {
    const write = kvBatchWriter(nc, bucket);
    await expect(write([])).rejects.toThrow(/1 to 1000/);
    await expect(write(Array.from({ length: 1_001 }, (_, i) => ({ key: `k${i}`, value: '' })))).rejects.toThrow(/1 to 1000/);
  });
});
