import { startNatsServer, type NatsServerHandle } from '@ai-gateway/testing';
import { connectNats, KV_BUCKETS, openKvBucket } from '@ai-gateway/nats';
import { createLogger } from '@ai-gateway/logging';
import type { NatsConnection } from '@nats-io/nats-core';
import { ConfigStore } from './config.store';
import { ProviderRedirectPolicy } from './provider-redirect.policy';

// Team writes are compare-and-set on the revision the store applied (config.store updateTeam,
// deleteTeam): an update never writes back a team deleted meanwhile, and a delete waits for its own
// revision, not for the team to be absent (which an update after it would hold off for good).
describe('config store: a team updated and deleted at once, two replicas on one bucket', () => {
  const logger = createLogger({ service: 'team-writes-spec', level: 'silent' });
  let nats: NatsServerHandle;
  let nc: NatsConnection;
  const stores: ConfigStore[] = [];

  beforeAll(async () => {
    nats = await startNatsServer();
    nc = await connectNats(nats.url, 'team-writes-spec');
    for (let i = 0; i < 2; i++) {
      const store = new ConfigStore(await openKvBucket(nc, KV_BUCKETS.config, 1), logger, ProviderRedirectPolicy.parse(''));
      await store.start();
      stores.push(store);
    }
  });
  afterAll(async () => {
    for (const store of stores) store.stop();
    await nc.drain();
    await nats.dispose();
  });

  it.each([
    ['on one replica', 0],
    ['on two replicas', 1],
  ])('never brings a deleted team back, and both calls answer (%s)', async (_case, updater) => {
    for (let round = 0; round < 10; round++) {
      const team = await stores[0].createTeam({ name: `t${round}`, allowedModels: [] });
      await stores[updater].createTeam({ name: 'sync', allowedModels: [] }); // the updater has applied the team
      const [deleted, updated] = await Promise.all([stores[0].deleteTeam(team.id), stores[updater].updateTeam({ ...team, name: `t${round}-renamed` })]);
      expect(deleted).toBe(true);
      // Either the update came first (and the delete after it), or it found the team gone.
      expect([undefined, `t${round}-renamed`]).toContain(updated?.name);
      for (const store of stores) {
        await store.createTeam({ name: 'sync', allowedModels: [] });
        expect(store.current().teams.some((t) => t.id === team.id)).toBe(false);
      }
    }
  });

  it('answers a delete once its own delete is applied, though the entry is written again right after', async () => {
    const team = await stores[0].createTeam({ name: 'recreated', allowedModels: [] });
    const kv = await openKvBucket(nc, KV_BUCKETS.config, 1);
    const deleting = stores[0].deleteTeam(team.id);
    const rewrite = kv.put(`teams.${team.id}`, JSON.stringify(team));
    await expect(deleting).resolves.toBe(true);
    await rewrite;
  });
});
