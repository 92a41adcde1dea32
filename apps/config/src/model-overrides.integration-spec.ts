import { firstValueFrom } from 'rxjs';
import { GATEWAY_V1_PACKAGE_NAME, PROTO_FILES, CONFIG_SERVICE_NAME, type ConfigServiceClient, type ModelOverride } from '@ai-gateway/proto';
import { MODEL_OVERRIDE_LIMITS } from '@ai-gateway/model-catalog';
import { createGrpcClient, decodeGrpcError, GrpcStatus, type RunningService } from '@ai-gateway/service-kit';
import { startNatsServer, testServiceCredentials, type NatsServerHandle } from '@ai-gateway/testing';
import { createApp } from './app';

// Model overrides in config (issue 17): stored in the KV bucket, carried in every snapshot,
// validated, bounded in number, and still there after config restarts.
describe('config: model overrides over gRPC with a real nats-server', () => {
  const service = testServiceCredentials();
  let nats: NatsServerHandle;
  let app: RunningService;
  let client: ConfigServiceClient;
  let close: () => void = () => undefined;

  const start = async (): Promise<void> => {
    app = await createApp({ NATS_URL: nats.url, GRPC_PORT: '0', BIND_HOST: '127.0.0.1', LOG_LEVEL: 'warn', OPENAI_BASE_URL: 'http://127.0.0.1:1/v1', SERVICE_CALLERS: service.callers });
    const proxy = createGrpcClient({ url: `127.0.0.1:${app.ports.grpc}`, package: GATEWAY_V1_PACKAGE_NAME, protoPath: PROTO_FILES.config, credential: service.credentials.ingress });
    client = proxy.getService<ConfigServiceClient>(CONFIG_SERVICE_NAME);
    close = () => proxy.close();
  };
  const put = (override: Partial<ModelOverride> & { name: string }) => firstValueFrom(client.putModelOverride({ providers: [], updatedAt: '', ...override }));
  const refusal = async (override: Partial<ModelOverride> & { name: string }) => decodeGrpcError(await put(override).then(() => undefined, (error: unknown) => error));
  const overrides = async () => (await firstValueFrom(client.getSnapshot({}))).modelOverrides;

  beforeAll(async () => {
    nats = await startNatsServer();
    await start();
  });

  afterAll(async () => {
    close();
    await app?.close();
    await nats?.dispose();
  });

  it('stores an override, answers it with its time, and carries it in the snapshot (a name a KV key could not hold included)', async () => {
    const stored = await put({ name: 'gpt-4o', outputUsdPerMTok: 12 });
    expect(stored).toMatchObject({ name: 'gpt-4o', outputUsdPerMTok: 12, providers: [] });
    expect(stored.inputUsdPerMTok).toBeUndefined();
    expect(Date.parse(stored.updatedAt)).not.toBeNaN();
    await put({ name: 'meta-llama/Acme-3:8b@v2+q4', inputUsdPerMTok: 0, outputUsdPerMTok: 0.1, providers: ['openai'] });
    expect((await overrides()).map((o) => o.name)).toEqual(['gpt-4o', 'meta-llama/Acme-3:8b@v2+q4']);
    // PUT replaces: a field left out is gone.
    await put({ name: 'gpt-4o', inputUsdPerMTok: 3 });
    const replaced = (await overrides()).find((o) => o.name === 'gpt-4o');
    expect(replaced?.inputUsdPerMTok).toBe(3);
    expect(replaced?.outputUsdPerMTok).toBeUndefined();
  });

  it('refuses a bad override with INVALID_ARGUMENT naming the field', async () => {
    const cases: Array<[Partial<ModelOverride> & { name: string }, string]> = [
      [{ name: 'gpt-4o', inputUsdPerMTok: -1 }, 'inputUsdPerMTok'],
      [{ name: 'acme', inputUsdPerMTok: 1, outputUsdPerMTok: 1, providers: ['nope'] }, 'providers'],
      [{ name: 'acme', inputUsdPerMTok: 1, outputUsdPerMTok: 1 }, 'providers'],
      [{ name: 'bad name' }, 'name'],
    ];
    for (const [override, param] of cases) {
      const refused = await refusal(override);
      expect([refused.code, refused.detail?.param]).toEqual([GrpcStatus.INVALID_ARGUMENT, param]);
    }
  });

  it(`keeps at most ${MODEL_OVERRIDE_LIMITS.maxOverrides} overrides, and still lets one be replaced at the bound`, async () => {
    const present = (await overrides()).length;
    for (let i = present; i < MODEL_OVERRIDE_LIMITS.maxOverrides; i++) await put({ name: `bulk-${i}`, inputUsdPerMTok: 1, outputUsdPerMTok: 1, providers: ['openai'] });
    expect(await overrides()).toHaveLength(MODEL_OVERRIDE_LIMITS.maxOverrides);
    const refused = await refusal({ name: 'one-too-many', inputUsdPerMTok: 1, outputUsdPerMTok: 1, providers: ['openai'] });
    expect(refused.code).toBe(GrpcStatus.INVALID_ARGUMENT);
    expect(refused.message).toContain(String(MODEL_OVERRIDE_LIMITS.maxOverrides));
    await put({ name: 'gpt-4o', inputUsdPerMTok: 4 });
  }, 60_000);

  it('deletes an override (NOT_FOUND the second time)', async () => {
    await firstValueFrom(client.deleteModelOverride({ name: 'bulk-100' }));
    expect((await overrides()).some((o) => o.name === 'bulk-100')).toBe(false);
    const again = decodeGrpcError(await firstValueFrom(client.deleteModelOverride({ name: 'bulk-100' })).then(() => undefined, (error: unknown) => error));
    expect(again.code).toBe(GrpcStatus.NOT_FOUND);
  });

  it('still has every override after config restarts', async () => {
    const before = await overrides();
    close();
    await app.close();
    await start();
    expect(await overrides()).toEqual(before);
  });
});
