import { createLogger } from '@ai-gateway/logging';
import { expectEventually, startNatsServer, type NatsServerHandle } from '@ai-gateway/testing';
import type { NatsConnection } from '@nats-io/nats-core';
import { connectNats } from './nats-connection';
import { openKvBucket } from './kv-buckets';
import { mirrorKv } from './kv-mirror';

describe('mirrorKv on a real nats-server', () => {
  let nats: NatsServerHandle;
  let nc: NatsConnection;

  beforeAll(async () => {
    nats = await startNatsServer();
    nc = await connectNats(nats.url, 'kv-mirror-spec');
  });
  afterAll(async () => {
    await nc.drain();
    await nats.dispose();
  });

  it('passes over an entry its callback throws on, at start and later, and keeps following', async () => {
    const kv = await openKvBucket(nc, 'kv-mirror-spec', 1);
    await kv.put('a', '1');
    await kv.put('poison', '2');
    const applied: string[] = [];
    const apply = (entry: { key: string }): void => {
      if (entry.key.startsWith('poison')) throw new TypeError('cannot read properties of null');
      applied.push(entry.key);
    };
    const stop = await mirrorKv(kv, '>', apply, createLogger({ service: 'kv-mirror-spec', level: 'silent' }));
    try {
      expect(applied).toEqual(['a']);
      await kv.put('poison-later', '3');
      await kv.put('b', '4');
      await expectEventually(() => expect(applied).toEqual(['a', 'b']));
    } finally {
      stop();
    }
  });
});
