import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { firstValueFrom, filter } from 'rxjs';
import { GATEWAY_V1_PACKAGE_NAME, PROTO_FILES, CONFIG_SERVICE_NAME, type ConfigServiceClient } from '@ai-gateway/proto';
import { routingPoliciesFromProto, routingPoliciesToProto } from '@ai-gateway/routing';
import { createGrpcClient, decodeGrpcError, GrpcStatus, type RunningService } from '@ai-gateway/service-kit';
import { startNatsServer, testServiceCredentials, type NatsServerHandle } from '@ai-gateway/testing';
import { createApp } from './app';

describe('routing policies in config (KV storage, watch, policies file)', () => {
  const service = testServiceCredentials();
  const dir = mkdtempSync(join(tmpdir(), 'routing-policies-'));
  let nats: NatsServerHandle;

  const env = (extra: Record<string, string> = {}) => ({
    NATS_URL: nats.url,
    GRPC_PORT: '0',
    BIND_HOST: '127.0.0.1',
    LOG_LEVEL: 'silent',
    OPENAI_BASE_URL: 'http://127.0.0.1:1/v1',
    SERVICE_CALLERS: service.callers,
    ...extra,
  });
  const clientOf = (app: RunningService) => {
    const proxy = createGrpcClient({ url: `127.0.0.1:${app.ports.grpc}`, package: GATEWAY_V1_PACKAGE_NAME, protoPath: PROTO_FILES.config, credential: service.credentials.ingress });
    return { client: proxy.getService<ConfigServiceClient>(CONFIG_SERVICE_NAME), close: () => proxy.close() };
  };
  const file = (name: string, content: string): string => {
    const path = join(dir, name);
    writeFileSync(path, content);
    return path;
  };

  beforeAll(async () => {
    nats = await startNatsServer();
  });
  afterAll(async () => nats.dispose());

  it('defaults to priority, stores a change durably, pushes it to watchers, and refuses a weight on an unknown provider', async () => {
    const app = await createApp(env());
    const { client, close } = clientOf(app);
    try {
      expect(routingPoliciesFromProto((await firstValueFrom(client.getSnapshot({}))).routingPolicies)).toEqual({ default: { strategy: 'priority' }, models: {} });
      const policies = { default: { strategy: 'latency' as const }, models: { 'gpt-4o': { strategy: 'weighted' as const, weights: { openai: 3, anthropic: 1 }, hedge: { afterMs: 800 } } } };
      const seen = firstValueFrom(client.watchSnapshot({}).pipe(filter((snapshot) => snapshot.routingPolicies?.defaultPolicy?.strategy === 'latency')));
      const answer = await firstValueFrom(client.setRoutingPolicies(routingPoliciesToProto(policies)));
      expect(routingPoliciesFromProto(answer.routingPolicies)).toEqual(policies);
      expect(routingPoliciesFromProto((await seen).routingPolicies)).toEqual(policies);

      const refused = decodeGrpcError(
        await firstValueFrom(client.setRoutingPolicies(routingPoliciesToProto({ default: { strategy: 'weighted', weights: { nobody: 1 } }, models: {} }))).catch((e: unknown) => e),
      );
      expect([refused.code, refused.detail?.param]).toEqual([GrpcStatus.INVALID_ARGUMENT, 'default.weights.nobody']);
    } finally {
      close();
      await app.close();
    }
    // Stored in the KV bucket: a new config process reads it back.
    const again = await createApp(env());
    const second = clientOf(again);
    try {
      expect(routingPoliciesFromProto((await firstValueFrom(second.client.getSnapshot({}))).routingPolicies).default).toEqual({ strategy: 'latency' });
    } finally {
      second.close();
      await again.close();
    }
  });

  it('applies ROUTING_POLICIES_FILE at start, over what the admin API stored', async () => {
    const path = file('good.json', JSON.stringify({ default: { strategy: 'availability' }, models: { 'gpt-4o': { strategy: 'cost' } } }));
    const app = await createApp(env({ ROUTING_POLICIES_FILE: path }));
    const { client, close } = clientOf(app);
    try {
      expect(routingPoliciesFromProto((await firstValueFrom(client.getSnapshot({}))).routingPolicies)).toEqual({ default: { strategy: 'availability' }, models: { 'gpt-4o': { strategy: 'cost' } } });
    } finally {
      close();
      await app.close();
    }
  });

  it.each([
    ['is not JSON', '{"default": ', /ROUTING_POLICIES_FILE .*bad\.json is not JSON/],
    ['names an unknown strategy', '{"default": {"strategy": "fastest"}}', /ROUTING_POLICIES_FILE .*bad\.json is invalid at "default\.strategy"/],
    ['weighs an unknown provider', '{"models": {"gpt-4o": {"strategy": "weighted", "weights": {"nobody": 1}}}}', /invalid at "models\.gpt-4o\.weights\.nobody"/],
  ])('refuses to start when the file %s, naming the file and the field', async (_case, content, message) => {
    await expect(createApp(env({ ROUTING_POLICIES_FILE: file('bad.json', content) }))).rejects.toThrow(message);
  });

  it('refuses to start when the file is missing', async () => {
    await expect(createApp(env({ ROUTING_POLICIES_FILE: join(dir, 'missing.json') }))).rejects.toThrow(/missing\.json cannot be read: ENOENT/);
  });
});
