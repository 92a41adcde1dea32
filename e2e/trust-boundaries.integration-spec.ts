// Issue 11, trust boundaries: every internal gRPC service authenticates every caller on every
// call and grants each caller only its own RPCs (SERVICE_ACCESS); grpc.health.v1 stays open;
// credentials never reach a log. And a provider's keys cannot be redirected to a new host by a
// base URL change without the admin's explicit confirmation.
import { randomBytes } from 'node:crypto';
import { credentials as grpcCredentials, makeGenericClientConstructor, type Client } from '@grpc/grpc-js';
import { service as healthService } from 'grpc-health-check';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { firstValueFrom, NEVER, type Observable } from 'rxjs';
import {
  ANALYTICS_SERVICE_NAME,
  CONFIG_SERVICE_NAME,
  GATEWAY_V1_PACKAGE_NAME,
  KEY_VAULT_ADMIN_SERVICE_NAME,
  KEY_VAULT_RESOLVE_SERVICE_NAME,
  PROTO_FILES,
  PROVIDER_ADAPTER_SERVICE_NAME,
  ROUTER_SERVICE_NAME,
  type AnalyticsServiceClient,
  type ConfigServiceClient,
  type KeyVaultAdminServiceClient,
  type KeyVaultResolveServiceClient,
  type ProviderAdapterServiceClient,
  type RouterServiceClient,
} from '@ai-gateway/proto';
import { createGrpcClient, decodeGrpcError, GrpcStatus, PERMISSION_DENIED_MESSAGE, UNAUTHENTICATED_MESSAGE } from '@ai-gateway/service-kit';
import { expectEventually, startGatewayStack, type GatewayStack } from '@ai-gateway/testing';

type Caller = 'none' | 'wrong' | 'ingress' | 'router';

interface Target {
  name: string;
  address: () => string;
  protoPath: string;
  /** One representative RPC of the service; its outcome decides what the caller was allowed. */
  call: (proxy: ReturnType<typeof createGrpcClient>) => Observable<unknown>;
}

// Random, so that no word of a log line (e.g. the reason "wrong-credential") can look like a slice of it.
const WRONG_CREDENTIAL = randomBytes(32).toString('base64url');

interface HealthClient extends Client {
  check(request: { service: string }, options: { deadline: number }, callback: (error: Error | null, response?: { status: number }) => void): void;
}
const HealthClientConstructor = makeGenericClientConstructor(healthService, 'Health');

const ALLOWED_HOST = 'allowed-proxy.example';
let stack: GatewayStack;

beforeAll(async () => {
  stack = await startGatewayStack({ env: { PROVIDER_HOST_ALLOWLIST: ALLOWED_HOST }, adapterMode: 'service' });
}, 60_000);

afterAll(async () => {
  await stack?.close();
});

describe('internal gRPC authentication and least privilege', () => {
  const proxies: Array<{ close(): void }> = [];

  const port = (app: string, name = 'grpc') => () => `127.0.0.1:${stack.apps[app].ports[name]}`;
  const TARGETS: Target[] = [
    {
      name: 'router',
      address: port('router-0'),
      protoPath: PROTO_FILES.router,
      call: (p) => p.getService<RouterServiceClient>(ROUTER_SERVICE_NAME).listModels({}),
    },
    // The hot-path RPCs are grpc-js handlers of their own (RouterHotPath), behind the same door.
    {
      name: 'router chat',
      address: port('router-0'),
      protoPath: PROTO_FILES.router,
      // An empty request: an allowed caller gets the router's own INVALID_ARGUMENT, never an auth code.
      call: (p) => p.getService<RouterServiceClient>(ROUTER_SERVICE_NAME).chatCompletion({} as never),
    },
    {
      name: 'router stream',
      address: port('router-0'),
      protoPath: PROTO_FILES.router,
      call: (p) => p.getService<RouterServiceClient>(ROUTER_SERVICE_NAME).streamChatCompletion({} as never),
    },
    {
      name: 'router embeddings',
      address: port('router-0'),
      protoPath: PROTO_FILES.router,
      call: (p) => p.getService<RouterServiceClient>(ROUTER_SERVICE_NAME).embeddings({} as never),
    },
    {
      name: 'config',
      address: port('config'),
      protoPath: PROTO_FILES.config,
      // An admin read: ingress may, the router (which may read the snapshot) may not.
      call: (p) => p.getService<ConfigServiceClient>(CONFIG_SERVICE_NAME).listApiKeys({}),
    },
    {
      name: 'key-vault admin',
      address: port('key-vault', 'admin'),
      protoPath: PROTO_FILES.keyVaultAdmin,
      call: (p) => p.getService<KeyVaultAdminServiceClient>(KEY_VAULT_ADMIN_SERVICE_NAME).listKeys({}),
    },
    {
      name: 'key-vault resolve',
      address: port('key-vault', 'resolve'),
      protoPath: PROTO_FILES.keyVaultResolve,
      call: (p) => p.getService<KeyVaultResolveServiceClient>(KEY_VAULT_RESOLVE_SERVICE_NAME).resolveKeys({ providers: [] }),
    },
    {
      name: 'analytics',
      address: port('analytics'),
      protoPath: PROTO_FILES.analytics,
      call: (p) => p.getService<AnalyticsServiceClient>(ANALYTICS_SERVICE_NAME).getProviderHealth({}),
    },
    ...['openai', 'anthropic'].map(
      (kind): Target => ({
        name: `adapter-${kind}`,
        address: port(`adapter-${kind}`),
        protoPath: PROTO_FILES.adapter,
        // An empty request: an allowed caller gets the adapter's own INVALID_ARGUMENT, never an auth code.
        call: (p) => p.getService<ProviderAdapterServiceClient>(PROVIDER_ADAPTER_SERVICE_NAME).chat({} as never),
      }),
    ),
  ];

  const credentialOf = (caller: Caller): string | null =>
    caller === 'none' ? null : caller === 'wrong' ? WRONG_CREDENTIAL : stack.serviceCredentials[caller];

  const client = (address: string, protoPath: string, caller: Caller) => {
    const proxy = createGrpcClient({ url: address, package: GATEWAY_V1_PACKAGE_NAME, protoPath, credential: credentialOf(caller) });
    proxies.push(proxy);
    return proxy;
  };

  /** The gRPC code and message a call ends with (OK when it succeeded). */
  const outcome = async (call: Observable<unknown>): Promise<{ code: number; message: string }> =>
    firstValueFrom(call).then(
      () => ({ code: GrpcStatus.OK, message: '' }),
      (error: unknown) => {
        const decoded = decodeGrpcError(error);
        return { code: decoded.code, message: decoded.message };
      },
    );

  afterAll(() => {
    for (const proxy of proxies) proxy.close();
  });

  it('refuses every call without a credential with UNAUTHENTICATED, on every service', async () => {
    for (const target of TARGETS) {
      const result = await outcome(target.call(client(target.address(), target.protoPath, 'none')));
      expect({ service: target.name, ...result }).toEqual({ service: target.name, code: GrpcStatus.UNAUTHENTICATED, message: UNAUTHENTICATED_MESSAGE });
    }
  });

  it('refuses a wrong credential with UNAUTHENTICATED, on every service, without echoing it', async () => {
    for (const target of TARGETS) {
      const result = await outcome(target.call(client(target.address(), target.protoPath, 'wrong')));
      expect({ service: target.name, ...result }).toEqual({ service: target.name, code: GrpcStatus.UNAUTHENTICATED, message: UNAUTHENTICATED_MESSAGE });
    }
  });

  it('refuses the other caller with PERMISSION_DENIED and serves the designed one', async () => {
    const allowed: Record<string, Caller> = {
      router: 'ingress',
      'router chat': 'ingress',
      'router stream': 'ingress',
      'router embeddings': 'ingress',
      config: 'ingress',
      'key-vault admin': 'ingress',
      'key-vault resolve': 'router',
      analytics: 'ingress',
      'adapter-openai': 'router',
      'adapter-anthropic': 'router',
    };
    for (const target of TARGETS) {
      const owner = allowed[target.name];
      const other: Caller = owner === 'ingress' ? 'router' : 'ingress';
      const denied = await outcome(target.call(client(target.address(), target.protoPath, other)));
      expect({ service: target.name, caller: other, ...denied }).toEqual({
        service: target.name,
        caller: other,
        code: GrpcStatus.PERMISSION_DENIED,
        message: PERMISSION_DENIED_MESSAGE,
      });
      // The owner's call reaches the handler (an empty adapter request fails there, not at the door).
      const served = await outcome(target.call(client(target.address(), target.protoPath, owner)));
      expect({ service: target.name, caller: owner, refused: [GrpcStatus.UNAUTHENTICATED, GrpcStatus.PERMISSION_DENIED].includes(served.code) }).toEqual({
        service: target.name,
        caller: owner,
        refused: false,
      });
    }
  });

  it("answers ingress's malformed hot-path call (no meta) with INVALID_ARGUMENT, and keeps serving", async () => {
    for (const name of ['router chat', 'router stream', 'router embeddings']) {
      const target = TARGETS.find((t) => t.name === name) as Target;
      expect({ name, code: (await outcome(target.call(client(target.address(), target.protoPath, 'ingress')))).code }).toEqual({ name, code: GrpcStatus.INVALID_ARGUMENT });
    }
    const models = await outcome(TARGETS[0].call(client(TARGETS[0].address(), TARGETS[0].protoPath, 'ingress')));
    expect(models.code).toBe(GrpcStatus.OK);
  });

  it("refuses the router's credential for config's admin RPCs, and nothing changes", async () => {
    const config = client(port('config')(), PROTO_FILES.config, 'router').getService<ConfigServiceClient>(CONFIG_SERVICE_NAME);
    const put = await outcome(config.putProvider({ id: 'openai', baseUrl: 'http://attacker.example/v1', models: [], hasModels: false, confirmKeyRedirect: true, settingsFields: [], addModels: [] }));
    expect(put.code).toBe(GrpcStatus.PERMISSION_DENIED);
    const mint = await outcome(config.createApiKey({ name: 'minted-by-router', allowedModels: [], teamId: '', expiresAt: '' }));
    expect(mint.code).toBe(GrpcStatus.PERMISSION_DENIED);
    for (const method of [() => config.setPriority({ order: [] }), () => config.setFallbacks({ fallbacks: {} }), () => config.setErrorActions({ errorActions: {} }), () => config.listApiKeys({}), () => config.deleteApiKey({ id: 'x' }),
      () => config.putModelOverride({ name: 'gpt-4o', inputUsdPerMTok: 0, outputUsdPerMTok: 0, providers: [], updatedAt: '' }), () => config.deleteModelOverride({ name: 'gpt-4o' })]) {
      expect((await outcome(method())).code).toBe(GrpcStatus.PERMISSION_DENIED);
    }
    const providers = (await stack.admin('GET', '/admin/v1/providers')).body as Array<{ id: string; baseUrl: string }>;
    expect(providers.find((p) => p.id === 'openai')?.baseUrl).not.toContain('attacker.example');
    const keys = (await stack.admin('GET', '/admin/v1/api-keys')).body as Array<{ name: string }>;
    expect(keys.map((k) => k.name)).not.toContain('minted-by-router');
  });

  it("refuses ingress's credential for key-vault resolve, both RPCs", async () => {
    const resolve = client(port('key-vault', 'resolve')(), PROTO_FILES.keyVaultResolve, 'ingress').getService<KeyVaultResolveServiceClient>(
      KEY_VAULT_RESOLVE_SERVICE_NAME,
    );
    expect((await outcome(resolve.resolveKeys({ providers: ['openai'] }))).code).toBe(GrpcStatus.PERMISSION_DENIED);
    expect((await outcome(resolve.watchKeyChanges(NEVER))).code).toBe(GrpcStatus.PERMISSION_DENIED);
  });

  it('keeps grpc.health.v1 open for probes on every gRPC port', async () => {
    const ports = [...new Set(TARGETS.map((t) => t.address()))];
    for (const address of ports) {
      const health = new HealthClientConstructor(address, grpcCredentials.createInsecure()) as unknown as HealthClient;
      try {
        const status = await new Promise<string>((resolve) =>
          health.check({ service: '' }, { deadline: Date.now() + 5_000 }, (error, response) => resolve(error ? `error: ${error.message}` : String(response?.status))),
        );
        expect({ address, status }).toEqual({ address, status: 'SERVING' });
      } finally {
        health.close();
      }
    }
  });

  it('serves the admin API and the public API through the authenticated internal calls', async () => {
    const created = await stack.admin('POST', '/admin/v1/api-keys', { name: 'trust-boundaries' });
    expect(created.status).toBe(201);
    const models = await fetch(`${stack.ingressUrls[0]}/v1/models`, { headers: { authorization: `Bearer ${(created.body as { key: string }).key}` } });
    expect(models.status).toBe(200);
    expect((await fetch(`${stack.ingressUrls[0]}/readyz`)).status).toBe(200);
  });

  it('reports a flood of refused calls at most once per 10 s per method and reason, in the log and the audit stream', async () => {
    const admin = client(port('key-vault', 'admin')(), PROTO_FILES.keyVaultAdmin, 'none').getService<KeyVaultAdminServiceClient>(KEY_VAULT_ADMIN_SERVICE_NAME);
    const CALLS = 50;
    const started = Date.now();
    for (let i = 0; i < CALLS; i++) expect((await outcome(admin.rotateKey({ id: 'x', key: 'y', actor: 'z' }))).code).toBe(GrpcStatus.UNAUTHENTICATED);
    // Reports allowed: the first, then one per started 10 s window (a bound, not a timing expectation).
    const allowed = Math.floor((Date.now() - started) / 10_000) + 1;
    const logged = stack
      .logText()
      .split('\n')
      .filter((line) => line.includes('internal call refused') && line.includes('/gateway.v1.KeyVaultAdminService/RotateKey'));
    expect(logged.length).toBeGreaterThanOrEqual(1);
    expect(logged.length).toBeLessThanOrEqual(allowed);
    const nc = await connect({ servers: stack.nats.url });
    try {
      const jsm = await jetstreamManager(nc);
      // The audit event is published off the call's path: wait for it, then count.
      const audited = await expectEventually(async () => {
        const info = await jsm.streams.info('GATEWAY_AUDIT');
        let count = 0;
        for (let seq = info.state.first_seq; seq <= info.state.last_seq; seq++) {
          const event = (await jsm.streams.getMessage('GATEWAY_AUDIT', { seq }).catch(() => null))?.json<{ action: string; method?: string }>();
          if (event?.action === 'internal_call.refused' && event.method === '/gateway.v1.KeyVaultAdminService/RotateKey') count++;
        }
        expect(count).toBeGreaterThanOrEqual(1);
        return count;
      });
      expect(audited).toBeLessThanOrEqual(allowed);
    } finally {
      await nc.close();
    }
  });

  it('logs refusals without any credential, presented or configured', () => {
    const logs = stack.logText();
    expect(logs).toContain('internal call refused');
    const leaks: string[] = [];
    for (const secret of [stack.serviceCredentials.ingress, stack.serviceCredentials.router, WRONG_CREDENTIAL]) {
      for (let i = 0; i + 16 <= secret.length; i++) if (logs.includes(secret.slice(i, i + 16))) leaks.push(`${secret.slice(0, 6)}…[${i}]`);
    }
    expect(leaks).toEqual([]);
  });
});

describe("moving a provider's base URL to another host (its keys follow)", () => {
  const PROVIDER_KEY = 'sk-proj-trustBoundariesKey0123456789abcd';
  const baseUrlOf = async (id: string): Promise<string | undefined> =>
    ((await stack.admin('GET', '/admin/v1/providers')).body as Array<{ id: string; baseUrl: string }>).find((p) => p.id === id)?.baseUrl;

  beforeAll(async () => {
    expect((await stack.admin('PUT', '/admin/v1/providers/held', { kind: 'openai', baseUrl: 'https://held.example/v1' })).status).toBe(201);
    expect((await stack.admin('POST', '/admin/v1/provider-keys', { provider: 'held', key: PROVIDER_KEY, name: 'held' })).status).toBe(201);
  });

  it('answers 409, OpenAI-shaped and naming the rule, and changes nothing without the confirmation', async () => {
    for (const baseUrl of ['https://attacker.example/v1', 'https://held.example:8443/v1', 'http://held.example/v1']) {
      const refused = await stack.admin('PUT', '/admin/v1/providers/held', { baseUrl });
      expect(refused.status).toBe(409);
      expect(refused.body).toEqual({
        error: {
          message: expect.stringMatching(/sends its provider keys to the new host.*"confirmKeyRedirect": true.*PROVIDER_HOST_ALLOWLIST/),
          type: 'invalid_request_error',
          param: 'confirmKeyRedirect',
          code: 'provider_redirect_unconfirmed',
        },
      });
      expect(await baseUrlOf('held')).toBe('https://held.example/v1');
    }
    const explicitNo = await stack.admin('PUT', '/admin/v1/providers/held', { baseUrl: 'https://attacker.example/v1', confirmKeyRedirect: false });
    expect(explicitNo.status).toBe(409);
    const notABoolean = await stack.admin('PUT', '/admin/v1/providers/held', { baseUrl: 'https://attacker.example/v1', confirmKeyRedirect: 'yes' });
    expect(notABoolean.status).toBe(400);
    expect(await baseUrlOf('held')).toBe('https://held.example/v1');
  });

  it('lets a change within the same origin, other fields and a new provider through unconfirmed', async () => {
    expect((await stack.admin('PUT', '/admin/v1/providers/held', { baseUrl: 'https://held.example/v2/' })).status).toBe(200);
    expect(await baseUrlOf('held')).toBe('https://held.example/v2');
    expect((await stack.admin('PUT', '/admin/v1/providers/held', { enabled: false, models: ['m-1'] })).status).toBe(200);
    expect((await stack.admin('PUT', '/admin/v1/providers/fresh', { kind: 'openai', baseUrl: 'https://fresh.example/v1' })).status).toBe(201);
  });

  it('moves the provider once confirmed, or when the new host is on PROVIDER_HOST_ALLOWLIST', async () => {
    const confirmed = await stack.admin('PUT', '/admin/v1/providers/held', { baseUrl: 'https://new-home.example/v1', confirmKeyRedirect: true });
    expect(confirmed.status).toBe(200);
    expect(confirmed.body).toMatchObject({ id: 'held', baseUrl: 'https://new-home.example/v1' });
    const allowListed = await stack.admin('PUT', '/admin/v1/providers/held', { baseUrl: `http://${ALLOWED_HOST}:8000/v1` });
    expect(allowListed.status).toBe(200);
    expect(await baseUrlOf('held')).toBe(`http://${ALLOWED_HOST}:8000/v1`);
  });

  it('audits every refused and every accepted move on GATEWAY_AUDIT, origins only', async () => {
    const nc = await connect({ servers: stack.nats.url });
    try {
      const jsm = await jetstreamManager(nc);
      const info = await jsm.streams.info('GATEWAY_AUDIT');
      const events: Array<Record<string, string>> = [];
      for (let seq = info.state.first_seq; seq <= info.state.last_seq; seq++) {
        const message = await jsm.streams.getMessage('GATEWAY_AUDIT', { seq }).catch(() => null);
        if (message) events.push(message.json());
      }
      const moves = events.filter((e) => e.action?.startsWith('provider.redirect') && e.provider === 'held').map(({ action, from, to, via, actor }) => ({ action, from, to, via, actor }));
      expect(moves).toEqual([
        { action: 'provider.redirect_refused', from: 'https://held.example', to: 'https://attacker.example', via: undefined, actor: 'admin-token' },
        { action: 'provider.redirect_refused', from: 'https://held.example', to: 'https://held.example:8443', via: undefined, actor: 'admin-token' },
        { action: 'provider.redirect_refused', from: 'https://held.example', to: 'http://held.example', via: undefined, actor: 'admin-token' },
        { action: 'provider.redirect_refused', from: 'https://held.example', to: 'https://attacker.example', via: undefined, actor: 'admin-token' },
        { action: 'provider.redirected', from: 'https://held.example', to: 'https://new-home.example', via: 'confirmed', actor: 'admin-token' },
        { action: 'provider.redirected', from: 'https://new-home.example', to: `http://${ALLOWED_HOST}:8000`, via: 'allow-list', actor: 'admin-token' },
      ]);
    } finally {
      await nc.close();
    }
  });
});
