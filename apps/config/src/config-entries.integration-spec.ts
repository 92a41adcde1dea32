import { firstValueFrom } from 'rxjs';
import type { ConfigServiceClient } from '@ai-gateway/proto';
import { expectEventually, startNatsServer, testServiceCredentials, type NatsServerHandle } from '@ai-gateway/testing';
import { connectNats, KV_BUCKETS, openKvBucket, type KV } from '@ai-gateway/nats';
import { createLogger } from '@ai-gateway/logging';
import type { NatsConnection } from '@nats-io/nats-core';
import { startConfigOverGrpc, type ConfigOverGrpc } from './config-over-grpc.fixture';
import { ConfigStore, ConfigValidationError, ConfigWriteUnapplied, MAX_PROVIDER_MODELS } from './config.store';
import { ProviderRedirectPolicy } from './provider-redirect.policy';

// An entry of the config bucket written by hand or by another tool, valid JSON of the wrong shape,
// counts as absent: it neither stops config's watch (every later write would wait for good) nor its
// start, nor the encoding of every snapshot.
describe('config store: entries of the wrong shape in the bucket', () => {
  const logger = createLogger({ service: 'config-entries-spec', level: 'silent' });
  const provider = (id: string) => ({ id, kind: 'openai', baseUrl: `http://${id}/v1`, enabled: true, models: [], createdAt: '2024-01-01T00:00:00Z' });
  let nats: NatsServerHandle;
  let nc: NatsConnection;
  let kv: KV;
  const stores: ConfigStore[] = [];
  const newStore = async (applyTimeoutMs?: number) => {
    const store = new ConfigStore(await openKvBucket(nc, KV_BUCKETS.config, 1), logger, ProviderRedirectPolicy.parse(''), undefined, applyTimeoutMs);
    stores.push(store);
    return store;
  };

  beforeEach(async () => {
    nats = await startNatsServer();
    nc = await connectNats(nats.url, 'config-entries-spec');
    kv = await openKvBucket(nc, KV_BUCKETS.config, 1);
  });
  afterEach(async () => {
    for (const store of stores.splice(0)) store.stop();
    await nc.drain();
    await nats.dispose();
  });

  it('keeps applying writes after a provider entry without createdAt, and leaves that provider out', async () => {
    const store = await newStore();
    await store.start();
    await store.putProvider({ id: 'a', kind: 'openai', baseUrl: 'http://a/v1' });
    await kv.put('providers.bad', JSON.stringify({ ...provider('bad'), createdAt: undefined }));
    await store.putProvider({ id: 'c', kind: 'openai', baseUrl: 'http://c/v1' });
    expect(store.current().providers.map((p) => p.id)).toEqual(['a', 'c']);
  });

  it('starts on a bucket holding a provider entry "null" and a team entry of an older shape', async () => {
    await kv.put('providers.a', JSON.stringify(provider('a')));
    await kv.put('providers.nul', 'null');
    await kv.put('teams.team_x', JSON.stringify({ id: 'team_x' }));
    await kv.put('routing.priority', '{"not": "a list"}');
    const store = await newStore();
    await store.start();
    expect(store.current()).toMatchObject({ providers: [{ id: 'a' }], teams: [] });
  });

  it('replaces an unreadable provider entry by a full write, compare-and-set on its revision', async () => {
    const store = await newStore();
    await store.start();
    await kv.put('providers.fixme', '{"id": "fixme", "kind": 7}');
    await expectEventually(() => expect(store.current().revision).toBeGreaterThan(0));
    const { provider: written, created } = await store.putProvider({ id: 'fixme', kind: 'openai', baseUrl: 'http://fixme/v1' });
    expect([written.id, written.baseUrl, created]).toEqual(['fixme', 'http://fixme/v1', true]);
  });

  it('bounds a replacing models list and the fallback map itself, with ConfigValidationError naming the field', async () => {
    const store = await newStore();
    await store.start();
    const models = Array.from({ length: MAX_PROVIDER_MODELS + 1 }, (_, i) => `model-${i}`);
    await expect(store.putProvider({ id: 'big', kind: 'openai', baseUrl: 'http://big/v1', models })).rejects.toMatchObject({ constructor: ConfigValidationError, param: 'models' });
    const fallbacks = Object.fromEntries(Array.from({ length: 20_000 }, (_, i) => [`model-name-${i}-${'x'.repeat(40)}`, [`other-${i}`]]));
    await expect(store.setFallbacks(fallbacks)).rejects.toMatchObject({ constructor: ConfigValidationError, param: 'fallbacks' });
    expect(store.current().providers).toEqual([]);
  });

  it('ends a write the watch does not apply in time with ConfigWriteUnapplied instead of waiting for good', async () => {
    const store = await newStore(300);
    await store.start();
    store.stop();
    await expect(store.putProvider({ id: 'late', kind: 'openai', baseUrl: 'http://late/v1' })).rejects.toThrow(ConfigWriteUnapplied);
  });
});

describe('config over gRPC: a malformed team entry', () => {
  const service = testServiceCredentials();
  let nats: NatsServerHandle;
  let config: ConfigOverGrpc;
  let client: ConfigServiceClient;

  beforeAll(async () => {
    nats = await startNatsServer();
    config = await startConfigOverGrpc(nats.url, { callers: service.callers, credential: service.credentials.ingress }, 'silent');
    client = config.client;
  });
  afterAll(async () => {
    await config.close();
    await nats.dispose();
  });

  it.each([
    ['{"id": "team_x"} (no name)', 'team_x', JSON.stringify({ id: 'team_x' })],
    ['"null"', 'team_y', 'null'],
  ])('keeps GetSnapshot answering every caller after a team entry %s, and applies the writes after it', async (_case, id, value) => {
    const nc = await connectNats(nats.url, 'config-entries-writer');
    try {
      await (await openKvBucket(nc, KV_BUCKETS.config, 1)).put(`teams.${id}`, value);
    } finally {
      await nc.drain();
    }
    const team = await firstValueFrom(client.createTeam({ name: `after-${id}`, allowedModels: [] }));
    const snapshot = await firstValueFrom(client.getSnapshot({}));
    expect(snapshot.teams.map((t) => t.id)).toContain(team.id);
    expect(snapshot.teams.map((t) => t.id)).not.toContain(id);
  });
});
