import { firstValueFrom } from 'rxjs';
import { CONFIG_SERVICE_NAME, GATEWAY_V1_PACKAGE_NAME, PROTO_FILES, type ConfigServiceClient, type PutProviderRequest } from '@ai-gateway/proto';
import { createGrpcClient, decodeGrpcError, GrpcStatus, type RunningService } from '@ai-gateway/service-kit';
import { expectEventually, startNatsServer, testServiceCredentials, type NatsServerHandle } from '@ai-gateway/testing';
import { createApp } from './app';
import { MAX_PROVIDER_MODELS } from './config.store';

// Provider edits are compare-and-set writes (config.store putProvider): two config replicas, or
// two calls at once, editing one provider both land; model discovery's `addModels` adds to the
// list as stored when config writes it.
describe('config: concurrent provider edits, two replicas on one bucket', () => {
  const service = testServiceCredentials();
  let nats: NatsServerHandle;
  const apps: RunningService[] = [];
  const clients: ConfigServiceClient[] = [];
  const closers: Array<() => void> = [];

  const put = (client: ConfigServiceClient, request: Partial<PutProviderRequest> & { id: string }) =>
    firstValueFrom(client.putProvider({ models: [], hasModels: false, confirmKeyRedirect: false, settingsFields: [], addModels: [], ...request }));
  const provider = async (id: string) => (await firstValueFrom(clients[0].getSnapshot({}))).providers.find((p) => p.id === id);

  beforeAll(async () => {
    nats = await startNatsServer();
    for (let i = 0; i < 2; i++) {
      const app = await createApp({ NATS_URL: nats.url, GRPC_PORT: '0', BIND_HOST: '127.0.0.1', LOG_LEVEL: 'warn', OPENAI_BASE_URL: 'http://127.0.0.1:1/v1', SERVICE_CALLERS: service.callers });
      const proxy = createGrpcClient({ url: `127.0.0.1:${app.ports.grpc}`, package: GATEWAY_V1_PACKAGE_NAME, protoPath: PROTO_FILES.config, credential: service.credentials.ingress });
      apps.push(app);
      clients.push(proxy.getService<ConfigServiceClient>(CONFIG_SERVICE_NAME));
      closers.push(() => proxy.close());
    }
    await put(clients[0], { id: 'vllm', kind: 'openai', baseUrl: 'http://vllm:8000/v1', models: ['m0'], hasModels: true });
    await expectEventually(async () => expect((await firstValueFrom(clients[1].getSnapshot({}))).providers.some((p) => p.id === 'vllm')).toBe(true));
  });

  afterAll(async () => {
    for (const close of closers) close();
    await Promise.all(apps.map((app) => app.close()));
    await nats?.dispose();
  });

  it('keeps every edit when both replicas change one provider at once: models added on one, enabled and models added on the other', async () => {
    const rounds = 10;
    const edits: Array<Promise<unknown>> = [];
    for (let i = 1; i <= rounds; i++) {
      edits.push(put(clients[0], { id: 'vllm', addModels: [`a${i}`] }));
      edits.push(put(clients[1], { id: 'vllm', addModels: [`b${i}`], enabled: i % 2 === 0 }));
    }
    await Promise.all(edits);
    const stored = await provider('vllm');
    const expected = ['m0', ...Array.from({ length: rounds }, (_, i) => [`a${i + 1}`, `b${i + 1}`]).flat()];
    expect([...(stored?.models ?? [])].sort()).toEqual(expected.sort());
  });

  it('adds only models not declared yet, and never past the bound', async () => {
    await put(clients[1], { id: 'vllm', models: ['x', 'y'], hasModels: true });
    const answered = await put(clients[0], { id: 'vllm', addModels: ['y', 'z', 'z'] });
    expect(answered.provider?.models).toEqual(['x', 'y', 'z']);

    const many = Array.from({ length: MAX_PROVIDER_MODELS }, (_, i) => `n${i}`);
    const refused = decodeGrpcError(await put(clients[0], { id: 'vllm', addModels: many }).then(() => undefined, (error: unknown) => error));
    expect(refused.code).toBe(GrpcStatus.INVALID_ARGUMENT);
    expect(refused.message).toContain(`at most ${MAX_PROVIDER_MODELS}`);
    expect((await provider('vllm'))?.models).toEqual(['x', 'y', 'z']);
  });

  it('bounds a replacing models list as it bounds additions, naming the field', async () => {
    const many = Array.from({ length: MAX_PROVIDER_MODELS + 1 }, (_, i) => `r${i}`);
    const refused = decodeGrpcError(await put(clients[0], { id: 'vllm', models: many, hasModels: true }).then(() => undefined, (error: unknown) => error));
    expect([refused.code, refused.detail?.param]).toEqual([GrpcStatus.INVALID_ARGUMENT, 'models']);
    expect(refused.message).toContain(`at most ${MAX_PROVIDER_MODELS}`);
    expect((await provider('vllm'))?.models).toEqual(['x', 'y', 'z']);
  });
});
