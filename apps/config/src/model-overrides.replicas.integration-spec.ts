import { firstValueFrom } from 'rxjs';
import type { NatsConnection } from '@nats-io/nats-core';
import { GATEWAY_V1_PACKAGE_NAME, PROTO_FILES, CONFIG_SERVICE_NAME, type ConfigServiceClient, type ModelOverride } from '@ai-gateway/proto';
import { MODEL_OVERRIDE_LIMITS } from '@ai-gateway/model-catalog';
import { connectNats, KV_BUCKETS, openKvBucket, type KV } from '@ai-gateway/nats';
import { createLogger } from '@ai-gateway/logging';
import { createGrpcClient, decodeGrpcError, GrpcStatus, type RunningService } from '@ai-gateway/service-kit';
import { expectEventually, startNatsServer, testServiceCredentials, type NatsServerHandle } from '@ai-gateway/testing';
import { createApp } from './app';
import { ConfigStore, ConfigValidationError } from './config.store';
import { ProviderRedirectPolicy } from './provider-redirect.policy';

// The model override limit holds across config replicas: creations racing through two replicas
// never leave more than the limit in the bucket (atomic batches with a gate key, nats-server 2.12+).
describe('config: the model override limit across two replicas (real nats-server, real gRPC)', () => {
  const service = testServiceCredentials();
  const limit = MODEL_OVERRIDE_LIMITS.maxOverrides;
  let nats: NatsServerHandle;
  let nc: NatsConnection;
  let kv: KV;
  const replicas: Array<{ app: RunningService; client: ConfigServiceClient; close: () => void }> = [];

  const override = (name: string): ModelOverride => ({ name, inputUsdPerMTok: 1, outputUsdPerMTok: 2, providers: ['openai'], updatedAt: '' });
  const put = (replica: number, name: string) => firstValueFrom(replicas[replica].client.putModelOverride(override(name)));
  const snapshotCount = async (replica: number) => (await firstValueFrom(replicas[replica].client.getSnapshot({}))).modelOverrides.length;
  /** Overrides in the bucket itself, not as any replica sees them. */
  const storedCount = async () => {
    let count = 0;
    for await (const key of await kv.keys()) if (key.startsWith('models.')) count++;
    return count;
  };

  beforeAll(async () => {
    nats = await startNatsServer();
    for (let i = 0; i < 2; i++) {
      const app = await createApp({ NATS_URL: nats.url, GRPC_PORT: '0', BIND_HOST: '127.0.0.1', LOG_LEVEL: 'warn', OPENAI_BASE_URL: 'http://127.0.0.1:1/v1', SERVICE_CALLERS: service.callers });
      const proxy = createGrpcClient({ url: `127.0.0.1:${app.ports.grpc}`, package: GATEWAY_V1_PACKAGE_NAME, protoPath: PROTO_FILES.config, credential: service.credentials.ingress });
      replicas.push({ app, client: proxy.getService<ConfigServiceClient>(CONFIG_SERVICE_NAME), close: () => proxy.close() });
    }
    nc = await connectNats(nats.url, 'model-overrides-replicas-spec');
    kv = await openKvBucket(nc, KV_BUCKETS.config, 1);
  }, 30_000);

  afterAll(async () => {
    for (const replica of replicas) {
      replica.close();
      await replica.app.close();
    }
    await nc?.drain();
    await nats?.dispose();
  });

  it(`of 20 creations racing through both replicas at ${limit - 5} overrides, exactly 5 are made and the rest refused naming the limit`, async () => {
    for (let i = 0; i < limit - 5; i++) await put(i % 2, `bulk-${i}`);
    const racing = await Promise.allSettled(Array.from({ length: 20 }, (_, i) => put(i % 2, `racer-${i}`)));
    const made = racing.filter((result) => result.status === 'fulfilled');
    const refused = racing.flatMap((result) => (result.status === 'rejected' ? [decodeGrpcError(result.reason)] : []));
    expect(made).toHaveLength(5);
    expect(refused).toHaveLength(15);
    for (const refusal of refused) expect([refusal.code, refusal.detail?.param, refusal.message.includes(String(limit))]).toEqual([GrpcStatus.INVALID_ARGUMENT, 'name', true]);
    expect(await storedCount()).toBe(limit);
    await expectEventually(async () => expect([await snapshotCount(0), await snapshotCount(1)]).toEqual([limit, limit]));
  }, 120_000);

  it('after a delete through one replica, one of several creations racing through both is made', async () => {
    await firstValueFrom(replicas[0].client.deleteModelOverride({ name: 'bulk-7' }));
    await expectEventually(async () => expect(await snapshotCount(1)).toBe(limit - 1));
    const racing = await Promise.allSettled(Array.from({ length: 6 }, (_, i) => put(i % 2, `after-delete-${i}`)));
    expect(racing.filter((result) => result.status === 'fulfilled')).toHaveLength(1);
    expect(await storedCount()).toBe(limit);
  }, 30_000);

  it('replacements racing with deletes of the same names through the other replica keep the stored count and every snapshot in step', async () => {
    const names = ['bulk-10', 'bulk-11', 'bulk-12', 'bulk-13'];
    const outcomes = await Promise.allSettled(
      names.flatMap((name) => [put(0, name), firstValueFrom(replicas[1].client.deleteModelOverride({ name }))]),
    );
    // A replacement that lost to its delete is made again as a creation, which may find the limit reached: refused, never past it.
    for (const outcome of outcomes) if (outcome.status === 'rejected') expect(decodeGrpcError(outcome.reason).code).toBe(GrpcStatus.INVALID_ARGUMENT);
    const stored = await storedCount();
    expect(stored).toBeLessThanOrEqual(limit);
    await expectEventually(async () => expect([await snapshotCount(0), await snapshotCount(1)]).toEqual([stored, stored]));
    // Room again: a creation through either replica is counted against what is stored.
    const room = limit - stored;
    const racing = await Promise.allSettled(Array.from({ length: room + 3 }, (_, i) => put(i % 2, `refill-${i}`)));
    expect(racing.filter((result) => result.status === 'fulfilled')).toHaveLength(room);
    expect(await storedCount()).toBe(limit);
  }, 30_000);
});

describe('config: the model override limit without atomic batches (a nats-server older than 2.12)', () => {
  let nats: NatsServerHandle;

  beforeAll(async () => {
    nats = await startNatsServer();
  });
  afterAll(async () => {
    await nats.dispose();
  });

  it('is still checked in the one replica, and a replacement at the bound still goes through', async () => {
    const nc = await connectNats(nats.url, 'model-overrides-plain-spec');
    const store = new ConfigStore(await openKvBucket(nc, KV_BUCKETS.config, 1), createLogger({ service: 'model-overrides-plain-spec', level: 'silent' }), ProviderRedirectPolicy.parse(''));
    try {
      await store.start();
      await store.putProvider({ id: 'openai', kind: 'openai', baseUrl: 'http://127.0.0.1:1/v1' });
      const limit = MODEL_OVERRIDE_LIMITS.maxOverrides;
      for (let i = 0; i < limit; i++) await store.putModelOverride({ name: `plain-${i}`, inputUsdPerMTok: 1, outputUsdPerMTok: 1, providers: ['openai'] });
      await expect(store.putModelOverride({ name: 'one-too-many', inputUsdPerMTok: 1, outputUsdPerMTok: 1, providers: ['openai'] })).rejects.toBeInstanceOf(ConfigValidationError);
      await store.putModelOverride({ name: 'plain-3', inputUsdPerMTok: 5, outputUsdPerMTok: 5, providers: ['openai'] });
      expect(store.current().modelOverrides).toHaveLength(limit);
      expect(store.current().modelOverrides.find((o) => o.name === 'plain-3')?.inputUsdPerMTok).toBe(5);
    } finally {
      store.stop();
      await nc.drain();
    }
  }, 60_000);
});
