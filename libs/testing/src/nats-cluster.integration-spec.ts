import { connectNats, openKvBucket } from '@ai-gateway/nats';
import { expectEventually } from './expect-eventually';
import { startNatsCluster, type NatsClusterHandle } from './nats-cluster';

describe('a three-node JetStream cluster on loopback', () => {
  let cluster: NatsClusterHandle;

  beforeAll(async () => {
    cluster = await startNatsCluster(3);
  }, 60_000);

  afterAll(async () => {
    await cluster?.dispose();
  });

  it('keeps a three-replica bucket writable and readable with its meta leader killed, and takes the node back', async () => {
    const nc = await connectNats(cluster.url, 'cluster-test');
    try {
      const kv = await openKvBucket(nc, 'cluster_test', 3);
      await kv.put('before', 'one');
      const leader = await cluster.metaLeader();
      expect(leader).toBeDefined();
      await leader?.kill();
      expect(leader?.running).toBe(false);
      await cluster.ready();
      const next = await cluster.metaLeader();
      expect(next?.name).not.toBe(leader?.name);
      await expectEventually(async () => expect((await kv.put('during', 'two')) > 0).toBe(true), 15_000);
      expect((await kv.get('before'))?.string()).toBe('one');
      await leader?.start();
      await cluster.ready();
      const status = await kv.status();
      expect(status.replicas).toBe(3);
      expect((await kv.get('during'))?.string()).toBe('two');
    } finally {
      await nc.close();
    }
  }, 90_000);
});
