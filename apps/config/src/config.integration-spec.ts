import { firstValueFrom, take, toArray } from 'rxjs';
import type { ConfigServiceClient } from '@ai-gateway/proto';
import { decodeGrpcError, GrpcStatus } from '@ai-gateway/service-kit';
import { startNatsServer, testServiceCredentials, type NatsServerHandle } from '@ai-gateway/testing';
import { connectNats, KV_BUCKETS, openKvBucket } from '@ai-gateway/nats';
import { createLogger } from '@ai-gateway/logging';
import { startConfigOverGrpc, type ConfigOverGrpc } from './config-over-grpc.fixture';
import { readConfigEnv } from './config.env';
import { ConfigStore } from './config.store';
import { ProviderRedirectPolicy } from './provider-redirect.policy';
import { seedProviders } from './seed-providers';

describe('config service over gRPC with a real nats-server', () => {
  const service = testServiceCredentials();
  let nats: NatsServerHandle;
  let config: ConfigOverGrpc;
  let client: ConfigServiceClient;

  beforeAll(async () => {
    nats = await startNatsServer();
    config = await startConfigOverGrpc(nats.url, { callers: service.callers, credential: service.credentials.ingress });
    client = config.client;
  });

  afterAll(async () => {
    await config.close();
    await nats.dispose();
  });

  it('seeds the default providers on first start', async () => {
    const snapshot = await firstValueFrom(client.getSnapshot({}));
    expect(snapshot.providers.map((p) => [p.id, p.kind, p.baseUrl, p.priority])).toEqual([
      ['openai', 'openai', 'http://127.0.0.1:1/v1', 0],
      ['anthropic', 'anthropic', 'https://api.anthropic.com', 1],
      ['gemini', 'gemini', 'https://generativelanguage.googleapis.com', 2],
      ['bedrock', 'bedrock', 'https://bedrock-runtime.us-east-1.amazonaws.com', 3],
    ]);
    expect(snapshot.providers.find((p) => p.id === 'bedrock')?.settings?.region).toBe('us-east-1');
  });

  it("keeps a provider's kind fields, replaces only the ones a change names, and refuses another kind's", async () => {
    const put = (request: Partial<Parameters<ConfigServiceClient['putProvider']>[0]>) =>
      firstValueFrom(client.putProvider({ id: 'gcp', models: [], hasModels: false, confirmKeyRedirect: false, settingsFields: [], addModels: [], ...request }));
    const none = { headers: {}, project: '', location: '', region: '', apiVersion: '', deployments: {} };
    const refused = async (request: Partial<Parameters<ConfigServiceClient['putProvider']>[0]>) =>
      decodeGrpcError(await put(request).then(() => undefined, (error: unknown) => error));

    const missing = await refused({ kind: 'vertex', baseUrl: 'https://aiplatform.googleapis.com', settings: { ...none, project: 'my-project-1' }, settingsFields: ['project'] });
    expect([missing.code, missing.detail?.param]).toEqual([GrpcStatus.INVALID_ARGUMENT, 'location']);

    const created = await put({
      kind: 'vertex',
      baseUrl: 'https://aiplatform.googleapis.com',
      settings: { ...none, project: 'my-project-1', location: 'global' },
      settingsFields: ['project', 'location'],
    });
    expect(created.provider?.settings).toMatchObject({ project: 'my-project-1', location: 'global', region: '' });

    const moved = await put({ settings: { ...none, location: 'europe-west4' }, settingsFields: ['location'] });
    expect(moved.provider?.settings).toMatchObject({ project: 'my-project-1', location: 'europe-west4' });

    const foreign = await refused({ settings: { ...none, region: 'us-east-1' }, settingsFields: ['region'] });
    expect([foreign.code, foreign.detail?.param]).toEqual([GrpcStatus.INVALID_ARGUMENT, 'region']);
    const credentialHeader = await refused({
      kind: 'openai',
      baseUrl: 'https://aiplatform.googleapis.com',
      settings: { ...none, headers: { Authorization: 'Bearer x' } },
      settingsFields: ['headers'],
    });
    expect([credentialHeader.code, credentialHeader.detail?.param]).toEqual([GrpcStatus.INVALID_ARGUMENT, 'headers']);

    // A kind change starts from no fields: vertex's project is not carried into an openai provider.
    const changed = await put({ kind: 'openai', settings: { ...none, headers: { 'X-Team': 'search' } }, settingsFields: ['headers'] });
    expect(changed.provider?.settings).toMatchObject({ project: '', location: '', headers: { 'x-team': 'search' } });
    const stored = (await firstValueFrom(client.getSnapshot({}))).providers.find((p) => p.id === 'gcp');
    expect(stored?.settings?.headers).toEqual({ 'x-team': 'search' });
  });

  it('creates a provider, reorders priority, and pushes each change to watchers', async () => {
    const updates = firstValueFrom(client.watchSnapshot({}).pipe(take(3), toArray()));
    const put = await firstValueFrom(
      client.putProvider({ id: 'vllm', kind: 'openai', baseUrl: 'http://vllm:8000/v1/', models: ['llama-3.1-70b'], hasModels: true, confirmKeyRedirect: false, settingsFields: [], addModels: [] }),
    );
    expect(put.created).toBe(true);
    expect(put.provider).toMatchObject({ id: 'vllm', baseUrl: 'http://vllm:8000/v1', models: ['llama-3.1-70b'], enabled: true });
    const reordered = await firstValueFrom(client.setPriority({ order: ['vllm', 'anthropic'] }));
    expect(reordered.providers.map((p) => p.id).slice(0, 3)).toEqual(['vllm', 'anthropic', 'openai']);
    const seen = await updates;
    expect(seen[2].providers.map((p) => p.id).slice(0, 3)).toEqual(['vllm', 'anthropic', 'openai']);
    expect(seen[2].revision).toBeGreaterThan(seen[0].revision);
  });

  it('refuses a fallback cycle with INVALID_ARGUMENT and a typed detail', async () => {
    const error = await firstValueFrom(
      client.setFallbacks({ fallbacks: { 'gpt-4o': { models: ['claude-3-5-sonnet'] }, 'claude-3-5-sonnet': { models: ['gpt-4o'] } } }),
    ).catch((e: unknown) => e);
    const decoded = decodeGrpcError(error);
    expect(decoded.code).toBe(GrpcStatus.INVALID_ARGUMENT);
    expect(decoded.message).toMatch(/cycle/);
    expect(decoded.detail?.openaiErrorType).toBe('invalid_request_error');
  });

  it('refuses a fallback map past its bounds with INVALID_ARGUMENT naming "fallbacks", before NATS would refuse the entry', async () => {
    const fallbacks: Record<string, { models: string[] }> = {};
    for (let i = 0; i < 20_000; i++) fallbacks[`model-name-${i}-${'x'.repeat(40)}`] = { models: [`other-${i}`] };
    const chain: Record<string, { models: string[] }> = {};
    for (let i = 0; i < 6_000; i++) chain[`m${i}`] = { models: [`m${i + 1}`] };
    for (const map of [fallbacks, chain]) {
      const decoded = decodeGrpcError(await firstValueFrom(client.setFallbacks({ fallbacks: map })).catch((e: unknown) => e));
      expect([decoded.code, decoded.detail?.param]).toEqual([GrpcStatus.INVALID_ARGUMENT, 'fallbacks']);
      expect(decoded.message).toMatch(/^at most 1000 models may have fallbacks/);
    }
  });

  it('stores gateway API keys only as hashes', async () => {
    const created = await firstValueFrom(client.createApiKey({ name: 'team-a', allowedModels: [], teamId: '', expiresAt: '' }));
    expect(created.key).toMatch(/^gw-/);
    const listed = await firstValueFrom(client.listApiKeys({}));
    const entry = listed.keys.find((k) => k.id === created.entry?.id);
    expect(entry?.keySha256).toHaveLength(64);
    expect(JSON.stringify(listed)).not.toContain(created.key);
    await firstValueFrom(client.deleteApiKey({ id: created.entry!.id }));
    const after = await firstValueFrom(client.listApiKeys({}));
    expect(after.keys.some((k) => k.id === created.entry?.id)).toBe(false);
  });

  it('keeps teams with budgets and limits, gives keys a team and an expiry, and refuses deleting a team that owns keys', async () => {
    const team = await firstValueFrom(
      client.createTeam({ name: 'search', allowedModels: ['gpt-4o'], budget: { amountUsd: 25, period: 'month' }, limits: { rpm: 60, tpm: 1000, concurrent: 2 } }),
    );
    expect(team.id).toMatch(/^team_/);
    const key = await firstValueFrom(
      client.createApiKey({ name: 'search-bot', allowedModels: [], teamId: team.id, limits: { rpm: 10, tpm: 0, concurrent: 0 }, expiresAt: '2999-01-01T00:00:00Z' }),
    );
    expect(key.entry).toMatchObject({ teamId: team.id, limits: { rpm: 10 }, expiresAt: '2999-01-01T00:00:00Z' });

    const raised = await firstValueFrom(client.updateTeam({ ...team, limits: { rpm: 120, tpm: 1000, concurrent: 2 } }));
    expect(raised.limits?.rpm).toBe(120);
    const snapshot = await firstValueFrom(client.getSnapshot({}));
    expect(snapshot.teams.find((t) => t.id === team.id)).toMatchObject({ name: 'search', budget: { amountUsd: 25, period: 'month' }, limits: { rpm: 120 } });

    const inUse = decodeGrpcError(await firstValueFrom(client.deleteTeam({ id: team.id })).catch((e: unknown) => e));
    expect(inUse.code).toBe(GrpcStatus.FAILED_PRECONDITION);
    await firstValueFrom(client.deleteApiKey({ id: key.entry?.id ?? '' }));
    await firstValueFrom(client.deleteTeam({ id: team.id }));
    expect((await firstValueFrom(client.getSnapshot({}))).teams.some((t) => t.id === team.id)).toBe(false);
  });

  it.each([
    ['an unknown period', { budget: { amountUsd: 5, period: 'year' } }, /budget.period/],
    ['a negative budget', { budget: { amountUsd: -1, period: 'day' } }, /amountUsd/],
    ['a negative limit', { limits: { rpm: -5, tpm: 0, concurrent: 0 } }, /limits.rpm/],
    ['an unknown team', { teamId: 'team_missing' }, /no team/],
    ['a past expiry', { expiresAt: '2001-01-01T00:00:00Z' }, /future/],
    ['an expiry that is no date', { expiresAt: 'tomorrow' }, /RFC 3339/],
  ])('refuses a key with %s (INVALID_ARGUMENT)', async (_case, fields, message) => {
    const error = await firstValueFrom(client.createApiKey({ name: 'k', allowedModels: [], teamId: '', expiresAt: '', ...fields })).catch((e: unknown) => e);
    const decoded = decodeGrpcError(error);
    expect(decoded.code).toBe(GrpcStatus.INVALID_ARGUMENT);
    expect(decoded.message).toMatch(message);
  });
});

describe('config seeding when the clock does not move between seeds', () => {
  let nats: NatsServerHandle;

  beforeAll(async () => {
    nats = await startNatsServer();
  });
  afterAll(async () => {
    await nats.dispose();
  });

  it('keeps the seed order as the priority order when every seed is created within one millisecond', async () => {
    const nc = await connectNats(nats.url, 'config-seed-spec');
    const store = new ConfigStore(await openKvBucket(nc, KV_BUCKETS.config, 1), createLogger({ service: 'config-seed-spec', level: 'silent' }), ProviderRedirectPolicy.parse(''));
    try {
      await store.start();
      // Only Date is frozen: timers, NATS and the watch run on the real clock.
      jest.useFakeTimers({ now: Date.parse('2026-12-02T05:00:00.000Z'), doNotFake: ['hrtime', 'nextTick', 'performance', 'queueMicrotask', 'setImmediate', 'clearImmediate', 'setInterval', 'clearInterval', 'setTimeout', 'clearTimeout'] });
      await store.seedDefaults(seedProviders(readConfigEnv({ NATS_URL: nats.url, OPENAI_BASE_URL: 'http://127.0.0.1:1/v1', SERVICE_CALLERS: testServiceCredentials().callers })));
      jest.useRealTimers();
      expect(store.current().providers.map((p) => p.id)).toEqual(['openai', 'anthropic', 'gemini', 'bedrock']);
    } finally {
      jest.useRealTimers();
      store.stop();
      await nc.drain();
    }
  });
});
