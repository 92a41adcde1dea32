// Issue 3: keys sealed at rest, rotated and revoked with every router replica confirming
// before the admin call returns, refused to anyone without the router's credential.
import { Metadata } from '@grpc/grpc-js';
import { jetstreamManager } from '@nats-io/jetstream';
import { Kvm } from '@nats-io/kv';
import { connect } from '@nats-io/transport-node';
import OpenAI from 'openai';
import { firstValueFrom, Subject } from 'rxjs';
import {
  GATEWAY_V1_PACKAGE_NAME,
  KEY_VAULT_RESOLVE_SERVICE_NAME,
  PROTO_FILES,
  type KeyChangeAck,
  type KeyVaultResolveServiceClient,
} from '@ai-gateway/proto';
import { createGrpcClient, decodeGrpcError, GrpcStatus } from '@ai-gateway/service-kit';
import { expectEventually, startFakeOpenAi, startGatewayStack, type FakeOpenAi, type GatewayStack } from '@ai-gateway/testing';

const FIRST_KEY = 'sk-proj-firstKeyAAAAAAAAAAAAAAAAAAAAAAAAAAAA';
const SECOND_KEY = 'sk-proj-secondKeyBBBBBBBBBBBBBBBBBBBBBBBBBBBB';
const THIRD_KEY = 'sk-proj-thirdKeyCCCCCCCCCCCCCCCCCCCCCCCCCCCCC';

describe('key vault with two router replicas', () => {
  let upstream: FakeOpenAi;
  let stack: GatewayStack;
  let clients: OpenAI[];
  const bodies: string[] = [];

  const ask = async (client: OpenAI): Promise<string | undefined> => {
    const before = upstream.requests.length;
    const completion = await client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] });
    bodies.push(JSON.stringify(completion));
    const auth = upstream.requests[before]?.headers.authorization;
    return typeof auth === 'string' ? auth.replace(/^Bearer /, '') : undefined;
  };

  beforeAll(async () => {
    upstream = await startFakeOpenAi({ validKeys: [FIRST_KEY, SECOND_KEY, THIRD_KEY] });
    stack = await startGatewayStack({ openaiBaseUrl: upstream.baseUrl, routers: 2 });
    const created = await stack.admin('POST', '/admin/v1/api-keys', { name: 'kv' });
    const gatewayKey = (created.body as { key: string }).key;
    clients = stack.ingressUrls.map((url) => new OpenAI({ apiKey: gatewayKey, baseURL: `${url}/v1`, maxRetries: 0 }));
  });

  afterAll(async () => {
    await stack?.close();
    await upstream?.close();
  });

  it('adds, lists masked, and uses a key upstream through either replica', async () => {
    const added = await stack.admin('POST', '/admin/v1/provider-keys', { provider: 'openai', key: FIRST_KEY, name: 'first' });
    expect(added.status).toBe(201);
    bodies.push(JSON.stringify(added.body));
    expect(added.body).toEqual({ id: expect.any(String), provider: 'openai', name: 'first', last4: 'AAAA', createdAt: expect.any(String), rotatedAt: null });
    expect(await ask(clients[0])).toBe(FIRST_KEY);
    expect(await ask(clients[1])).toBe(FIRST_KEY);
  });

  it('keeps only sealed records in the KV bucket', async () => {
    const nc = await connect({ servers: stack.nats.url });
    try {
      const kv = await new Kvm(nc).open('gateway_provider_keys');
      const raw: string[] = [];
      for await (const key of await kv.keys()) {
        const entry = await kv.get(key);
        if (entry) raw.push(entry.string());
      }
      expect(raw).toHaveLength(1);
      const record = JSON.parse(raw[0]) as { sealed: { alg: string; kmsBackend: string; encryptedDataKey: string; ciphertext: string } };
      expect(record.sealed).toMatchObject({ alg: 'AES-256-GCM', kmsBackend: 'local' });
      expect(raw[0]).not.toContain(FIRST_KEY.slice(0, 16));
      expect(raw[0]).not.toContain(FIRST_KEY.slice(-16));
    } finally {
      await nc.close();
    }
  });

  it('rotates: the very next request through either replica carries the new key', async () => {
    const [entry] = (await stack.admin('GET', '/admin/v1/provider-keys')).body as Array<{ id: string }>;
    const rotated = await stack.admin('POST', `/admin/v1/provider-keys/${entry.id}/rotate`, { key: SECOND_KEY });
    expect(rotated.status).toBe(200);
    expect(rotated.body).toMatchObject({ id: entry.id, last4: 'BBBB', rotatedAt: expect.any(String) });
    expect(await ask(clients[0])).toBe(SECOND_KEY);
    expect(await ask(clients[1])).toBe(SECOND_KEY);
  });

  it('deletes: the very next request through either replica does not use the key, and names the provider', async () => {
    const [entry] = (await stack.admin('GET', '/admin/v1/provider-keys')).body as Array<{ id: string }>;
    const deleted = await stack.admin('DELETE', `/admin/v1/provider-keys/${entry.id}`);
    expect(deleted.status).toBe(204);
    const before = upstream.requests.length;
    for (const client of clients) {
      const error = await client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(OpenAI.APIError);
      expect((error as InstanceType<typeof OpenAI.APIError>).status).toBe(503);
      expect((error as InstanceType<typeof OpenAI.APIError>).message).toContain('openai: no key');
    }
    expect(upstream.requests.length).toBe(before);
  });

  it('spreads requests over several keys of one provider', async () => {
    await stack.admin('POST', '/admin/v1/provider-keys', { provider: 'openai', key: SECOND_KEY, name: 'a' });
    await stack.admin('POST', '/admin/v1/provider-keys', { provider: 'openai', key: THIRD_KEY, name: 'b' });
    const used = new Set<string | undefined>();
    for (let i = 0; i < 4; i++) used.add(await ask(clients[0]));
    expect(used).toEqual(new Set([SECOND_KEY, THIRD_KEY]));
  });

  it('scrubs a provider error that echoes the key before it reaches the client', async () => {
    upstream.setValidKeys(['sk-proj-someOtherKeyZZZZZZZZZZZZZZZZZZZZZZZ']);
    try {
      const error = await clients[0].chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'x' }] }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(OpenAI.APIError);
      const apiError = error as InstanceType<typeof OpenAI.APIError>;
      expect(apiError.status).toBe(502);
      bodies.push(JSON.stringify(apiError.error), apiError.message);
      expect(apiError.message).toContain('Incorrect API key provided');
      expect(apiError.message).not.toMatch(/sk-proj-(second|third)Key/);
    } finally {
      upstream.setValidKeys([FIRST_KEY, SECOND_KEY, THIRD_KEY]);
    }
  });

  it('refuses resolve calls without the router service credential, and audits them', async () => {
    const proxy = createGrpcClient({
      url: `127.0.0.1:${stack.apps['key-vault'].ports.resolve}`,
      package: GATEWAY_V1_PACKAGE_NAME,
      protoPath: PROTO_FILES.keyVaultResolve,
      credential: null,
    });
    try {
      const resolve = proxy.getService<KeyVaultResolveServiceClient>(KEY_VAULT_RESOLVE_SERVICE_NAME);
      const wrong = new Metadata();
      wrong.set('x-service-credential', 'not-the-credential-at-all');
      for (const metadata of [new Metadata(), wrong]) {
        const error = await firstValueFrom(resolve.resolveKeys({ providers: [] }, metadata)).catch((e: unknown) => e);
        expect(decodeGrpcError(error).code).toBe(GrpcStatus.UNAUTHENTICATED);
      }
      // Logged before the refusal is sent, written to the log file a moment later (an asynchronous destination).
      await expectEventually(() => expect(stack.logText()).toContain('"action":"internal_call.refused"'));
    } finally {
      proxy.close();
    }
  });

  it('fails a delete loudly, naming the replica, when a router holding a lease never confirms', async () => {
    // A replica that holds an unexpired lease in NATS but never acknowledges (stuck, or not subscribed).
    const nc = await connect({ servers: stack.nats.url });
    const leases = await new Kvm(nc).open('gateway_router_leases');
    await leases.put('stuck-replica', JSON.stringify({ replicaId: 'stuck-replica', ttlMs: 60_000 }));
    try {
      const keys = (await stack.admin('GET', '/admin/v1/provider-keys')).body as Array<{ id: string }>;
      const deleted = await stack.admin('DELETE', `/admin/v1/provider-keys/${keys[0].id}`);
      expect(JSON.stringify(deleted.body)).toContain('stuck-replica');
      expect(deleted.status).toBe(504);
      expect(JSON.stringify(deleted.body)).not.toContain('router-0');
    } finally {
      await leases.delete('stuck-replica');
      await nc.close();
    }
    // REVOCATION_TIMEOUT_MS (16 s) plus the catch-up wait before it (up to 2 s), with room for a loaded machine.
  }, 40_000);

  it('no longer serves key changes over gRPC: they travel through NATS', async () => {
    const proxy = createGrpcClient({
      url: `127.0.0.1:${stack.apps['key-vault'].ports.resolve}`,
      package: GATEWAY_V1_PACKAGE_NAME,
      protoPath: PROTO_FILES.keyVaultResolve,
      credential: stack.serviceCredentials.router,
    });
    try {
      const acks = new Subject<KeyChangeAck>();
      const error = await firstValueFrom(proxy.getService<KeyVaultResolveServiceClient>(KEY_VAULT_RESOLVE_SERVICE_NAME).watchKeyChanges(acks.asObservable())).catch(
        (e: unknown) => e,
      );
      expect(decodeGrpcError(error).code).toBe(GrpcStatus.UNIMPLEMENTED);
    } finally {
      proxy.close();
    }
  });

  it('records every add, rotate and delete in the audit stream, without a key value', async () => {
    const nc = await connect({ servers: stack.nats.url });
    try {
      const jsm = await jetstreamManager(nc);
      const info = await jsm.streams.info('GATEWAY_AUDIT');
      const events: Array<{ action: string; keyId?: string; actor: string; at: string }> = [];
      for (let seq = info.state.first_seq; seq <= info.state.last_seq; seq++) {
        const message = await jsm.streams.getMessage('GATEWAY_AUDIT', { seq });
        if (message) events.push(message.json());
      }
      const actions = events.map((e) => e.action);
      expect(actions).toEqual(expect.arrayContaining(['provider_key.added', 'provider_key.rotated', 'provider_key.deleted', 'internal_call.refused']));
      expect(events.filter((e) => e.action !== 'internal_call.refused').every((e) => e.keyId && e.actor === 'admin-token' && e.at)).toBe(true);
      const raw = JSON.stringify(events);
      for (const secret of [FIRST_KEY, SECOND_KEY, THIRD_KEY, stack.adminToken]) expect(raw).not.toContain(secret.slice(-16));
    } finally {
      await nc.close();
    }
  });

  it('never writes a provider key to a log line or a response', () => {
    const written = stack.logText() + bodies.join('\n');
    const leaks: string[] = [];
    for (const secret of [FIRST_KEY, SECOND_KEY, THIRD_KEY, stack.adminToken, stack.serviceCredentials.ingress, stack.serviceCredentials.router]) {
      for (let i = 0; i + 16 <= secret.length; i++) if (written.includes(secret.slice(i, i + 16))) leaks.push(`${secret.slice(0, 12)}…[${i}]`);
    }
    expect(leaks).toEqual([]);
  });
});
