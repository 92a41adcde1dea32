// Issue 12, item 5: no single replica on the control plane. Key changes and router
// acknowledgements travel through NATS, so any key-vault replica confirms a revocation to every
// router; routers keep serving from their last keys while key-vault is away (their lease in NATS
// does not depend on it), and a router's lease that lapsed is not waited on.
import { Kvm } from '@nats-io/kv';
import { createServer, connect as tcpConnect, type Socket } from 'node:net';
import { connect } from '@nats-io/transport-node';
import OpenAI from 'openai';
import { expectEventually, loadApp, startFakeOpenAi, startGatewayStack, type FakeOpenAi, type GatewayStack, type RunningApp } from '@ai-gateway/testing';
import { ROUTER_LEASE_SAFETY_MS, ROUTER_LEASE_TTL_MS } from '@ai-gateway/nats';
import { RELEASE_BOUND_MS } from '@ai-gateway/service-kit';

const FIRST_KEY = 'sk-proj-cpFirstKeyAAAAAAAAAAAAAAAAAAAAAAAAAA';
const SECOND_KEY = 'sk-proj-cpSecondKeyBBBBBBBBBBBBBBBBBBBBBBBBB';
const THIRD_KEY = 'sk-proj-cpThirdKeyCCCCCCCCCCCCCCCCCCCCCCCCCC';

describe('control plane without a single replica: two key-vault replicas, two routers', () => {
  let upstream: FakeOpenAi;
  let stack: GatewayStack;
  let clients: OpenAI[];

  /** Admin call through ingress i, hence key-vault replica i. */
  const admin = async (i: number, method: string, path: string, body?: unknown): Promise<{ status: number; body: unknown }> => {
    const response = await fetch(`${stack.ingressUrls[i]}${path}`, {
      method,
      headers: { authorization: `Bearer ${stack.adminToken}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, body: text ? (JSON.parse(text) as unknown) : undefined };
  };
  const keyUsed = async (client: OpenAI): Promise<string | undefined> => {
    const before = upstream.requests.length;
    await client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] });
    const auth = upstream.requests[before]?.headers.authorization;
    return typeof auth === 'string' ? auth.replace(/^Bearer /, '') : undefined;
  };
  const connected = async (router: string, component: string): Promise<number> => {
    const text = await (await fetch(stack.metricsUrl(router))).text();
    const line = text.split('\n').find((l) => l.startsWith('gen_ai_gateway_control_plane_connected{') && l.includes(`component="${component}"`));
    return Number(line?.split(' ')[1]);
  };

  beforeAll(async () => {
    upstream = await startFakeOpenAi({ validKeys: [FIRST_KEY, SECOND_KEY, THIRD_KEY] });
    stack = await startGatewayStack({ openaiBaseUrl: upstream.baseUrl, routers: 2, keyVaults: 2 });
    const created = await stack.admin('POST', '/admin/v1/api-keys', { name: 'cp' });
    const gatewayKey = (created.body as { key: string }).key;
    clients = stack.ingressUrls.map((url) => new OpenAI({ apiKey: gatewayKey, baseURL: `${url}/v1`, maxRetries: 0 }));
  });

  afterAll(async () => {
    await stack?.close();
    await upstream?.close();
  });

  it('confirms a rotation and a delete made through either key-vault replica on both routers', async () => {
    const added = await admin(0, 'POST', '/admin/v1/provider-keys', { provider: 'openai', key: FIRST_KEY, name: 'first' });
    expect(added.status).toBe(201);
    const id = (added.body as { id: string }).id;
    expect(await keyUsed(clients[0])).toBe(FIRST_KEY);
    expect(await keyUsed(clients[1])).toBe(FIRST_KEY);

    // Rotated through replica 1, while router 0 resolves from replica 0 and router 1 from replica 1.
    expect((await admin(1, 'POST', `/admin/v1/provider-keys/${id}/rotate`, { key: SECOND_KEY })).status).toBe(200);
    expect(await keyUsed(clients[0])).toBe(SECOND_KEY);
    expect(await keyUsed(clients[1])).toBe(SECOND_KEY);

    expect((await admin(1, 'DELETE', `/admin/v1/provider-keys/${id}`)).status).toBe(204);
    const before = upstream.requests.length;
    for (const client of clients) {
      const error = await client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] }).catch((e: unknown) => e);
      expect((error as InstanceType<typeof OpenAI.APIError>).status).toBe(503);
    }
    expect(upstream.requests.length).toBe(before);
  });

  it('keeps serving from cached keys with every key-vault replica stopped, says so, and honours a rotation once one is back', async () => {
    const added = await admin(0, 'POST', '/admin/v1/provider-keys', { provider: 'openai', key: FIRST_KEY, name: 'again' });
    const id = (added.body as { id: string }).id;
    expect(await keyUsed(clients[0])).toBe(FIRST_KEY);
    expect(await keyUsed(clients[1])).toBe(FIRST_KEY);

    let stop = false;
    const outcomes = { ok: 0, failed: [] as string[] };
    const traffic = clients.map(async (client) => {
      while (!stop) {
        await client.chat.completions
          .create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'under load' }] })
          .then(() => outcomes.ok++)
          .catch((error: unknown) => outcomes.failed.push(String(error)));
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    });
    const ports = ['key-vault', 'key-vault-1'].map((name) => ({ name, admin: stack.apps[name].ports.admin, resolve: stack.apps[name].ports.resolve }));
    for (const { name } of ports) await stack.stopApp(name);
    try {
      // Longer than a lease TTL: the leases are renewed without key-vault.
      await new Promise((resolve) => setTimeout(resolve, ROUTER_LEASE_TTL_MS + 1_000));
      for (const router of ['router-0', 'router-1']) {
        await expectEventually(async () => expect(await connected(router, 'key_vault')).toBe(0));
        expect(await connected(router, 'nats')).toBe(1);
        expect(await connected(router, 'config')).toBe(1);
      }
      const ready = await fetch(`${stack.ingressUrls[0]}/readyz`);
      expect(ready.status).toBe(200);
      expect(await ready.json()).toMatchObject({ status: 'ready', controlPlane: { key_vault: false, config: true, nats: true }, servingFromLastKnown: ['key_vault'] });
      const servedWhileAway = outcomes.ok;
      expect(servedWhileAway).toBeGreaterThan(20);
    } finally {
      for (const { name, admin: adminPort, resolve } of ports) await stack.startApp(name, { ADMIN_GRPC_PORT: String(adminPort), RESOLVE_GRPC_PORT: String(resolve) });
    }
    stop = true;
    await Promise.all(traffic);
    expect(outcomes.failed).toEqual([]);

    for (const router of ['router-0', 'router-1']) await expectEventually(async () => expect(await connected(router, 'key_vault')).toBe(1));
    const ready = (await (await fetch(`${stack.ingressUrls[1]}/readyz`)).json()) as Record<string, unknown>;
    expect(ready).toMatchObject({ status: 'ready', controlPlane: { key_vault: true, config: true, nats: true }, servingFromLastKnown: [] });
    expect((await admin(1, 'POST', `/admin/v1/provider-keys/${id}/rotate`, { key: THIRD_KEY })).status).toBe(200);
    expect(await keyUsed(clients[0])).toBe(THIRD_KEY);
    expect(await keyUsed(clients[1])).toBe(THIRD_KEY);
  }, 60_000);

  it('completes a delete without the acknowledgement of a router whose lease expired meanwhile', async () => {
    // A router cut off from NATS: its last renewal is there, it never acknowledges again. It stopped
    // using its keys before this lease's end (unit: provider-keys.cache.spec.ts), so once the lease
    // expired key-vault stops waiting for it.
    const nc = await connect({ servers: stack.nats.url });
    const leases = await new Kvm(nc).open('gateway_router_leases');
    await leases.put('cut-off-router', JSON.stringify({ replicaId: 'cut-off-router', ttlMs: 1_500 }));
    try {
      const [entry] = (await admin(0, 'GET', '/admin/v1/provider-keys')).body as Array<{ id: string }>;
      const started = Date.now();
      const deleted = await admin(1, 'DELETE', `/admin/v1/provider-keys/${entry.id}`);
      expect(deleted.status).toBe(204);
      const took = Date.now() - started;
      expect(took).toBeGreaterThan(1_000);
      expect(took).toBeLessThan(5_000);
      await expectEventually(() => expect(stack.logText()).toMatch(/"expired":\["cut-off-router"\]/));
    } finally {
      await leases.delete('cut-off-router');
      await nc.close();
    }
  }, 20_000);

  it('a router cut off from NATS stops using its keys within its lease, and a delete completes without it once the lease expired', async () => {
    // A third router (with its own ingress) reaches NATS through a proxy this test cuts.
    const sockets = new Set<Socket>();
    const natsPort = Number(new URL(stack.nats.url.replace(/^nats:/, 'http:')).port);
    const proxy = createServer((client) => {
      const upstreamSocket = tcpConnect(natsPort, '127.0.0.1');
      for (const socket of [client, upstreamSocket]) {
        sockets.add(socket);
        socket.on('error', () => undefined);
        socket.on('close', () => sockets.delete(socket));
      }
      client.pipe(upstreamSocket).pipe(client);
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    const proxyPort = (proxy.address() as { port: number }).port;
    const adapterUrls = ['openai', 'anthropic'].filter((kind) => stack.apps[`adapter-${kind}`]).map((kind) => `${kind}=127.0.0.1:${stack.apps[`adapter-${kind}`].ports.grpc}`);
    const common = { BIND_HOST: '127.0.0.1', LOG_LEVEL: 'warn', METRICS_PORT: '0', SERVICE_CALLERS: stack.serviceCallers };
    let router: RunningApp | undefined;
    let ingress: RunningApp | undefined;
    try {
      router = await loadApp('router')({
        ...common,
        NATS_URL: `nats://127.0.0.1:${proxyPort}`,
        GRPC_PORT: '0',
        CONFIG_URL: `127.0.0.1:${stack.apps.config.ports.grpc}`,
        KEY_VAULT_RESOLVE_URL: `127.0.0.1:${stack.apps['key-vault'].ports.resolve}`,
        ADAPTER_URLS: adapterUrls.join(','),
        SERVICE_CREDENTIAL: stack.serviceCredentials.router,
        ROUTER_REPLICA_ID: 'router-cut',
      });
      ingress = await loadApp('ingress')({
        ...common,
        NATS_URL: stack.nats.url,
        PORT: '0',
        ADMIN_TOKEN: stack.adminToken,
        SERVICE_CREDENTIAL: stack.serviceCredentials.ingress,
        ROUTER_URL: `127.0.0.1:${router.ports.grpc}`,
        CONFIG_URL: `127.0.0.1:${stack.apps.config.ports.grpc}`,
        KEY_VAULT_ADMIN_URL: `127.0.0.1:${stack.apps['key-vault'].ports.admin}`,
      });
      const cut = new OpenAI({ apiKey: clients[0].apiKey, baseURL: `http://127.0.0.1:${ingress.ports.http}/v1`, maxRetries: 0 });
      const added = await admin(0, 'POST', '/admin/v1/provider-keys', { provider: 'openai', key: FIRST_KEY, name: 'cut' });
      expect(added.status).toBe(201);
      expect(await keyUsed(cut)).toBe(FIRST_KEY);

      proxy.close();
      for (const socket of sockets) socket.destroy();
      const cutAt = Date.now();
      // Leases renewed every 1 s, keys dropped 1 s before the TTL counted from the last renewal sent.
      const usableMs = ROUTER_LEASE_TTL_MS - ROUTER_LEASE_SAFETY_MS;
      await expectEventually(async () => {
        const error = await cut.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] }).catch((e: unknown) => e);
        expect((error as InstanceType<typeof OpenAI.APIError>).status).toBe(503);
      }, usableMs + 2_000, 100);
      expect(Date.now() - cutAt).toBeLessThan(usableMs + 500);
      const metricsUrl = `http://127.0.0.1:${router.ports.metrics}/metrics`;
      await expectEventually(async () => expect(await (await fetch(metricsUrl)).text()).toMatch(/gen_ai_gateway_control_plane_connected\{component="nats"[^}]*\} 0/), 2_000);

      // The other routers confirm; router-cut's lease expires (≤ one TTL after its last renewal) and is not waited on.
      const deleted = await admin(1, 'DELETE', `/admin/v1/provider-keys/${(added.body as { id: string }).id}`);
      expect(deleted.status).toBe(204);
      expect(Date.now() - cutAt).toBeLessThan(ROUTER_LEASE_TTL_MS + 10_000);
      const before = upstream.requests.length;
      const error = await cut.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] }).catch((e: unknown) => e);
      expect((error as InstanceType<typeof OpenAI.APIError>).status).toBe(503);
      expect(upstream.requests.length).toBe(before);

      // Stopped with NATS still away: what it releases (the usage events it holds, the NATS
      // connection) is given up within the release bound, not waited for until the forced exit.
      await ingress.close();
      ingress = undefined;
      const stopping = Date.now();
      await router.close();
      router = undefined;
      expect(Date.now() - stopping).toBeLessThan(RELEASE_BOUND_MS);
    } finally {
      proxy.close();
      for (const socket of sockets) socket.destroy();
      await ingress?.close().catch(() => undefined);
      await router?.close().catch(() => undefined);
    }
  }, 45_000);
});
