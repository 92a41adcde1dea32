// The OpenAPI description (GET /openapi.json) against the running gateway: the routes ingress
// registers match the described operations both ways, and real answers of the whole stack
// (ingress → router → adapter → a fake OpenAI) match the described statuses and schemas.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  captureFastifyRoutes,
  compareRoutes,
  createOpenApiValidator,
  REPO_ROOT,
  startFakeOpenAi,
  startGatewayStack,
  type FakeOpenAi,
  type GatewayStack,
  type OpenApiValidator,
  type RouteCapture,
} from '@ai-gateway/testing';

const PROVIDER_KEY = 'sk-proj-openapiProviderKey0123456789abc';
type Document = { openapi: string; paths: Record<string, Record<string, unknown>> };

describe('OpenAPI description against the running gateway', () => {
  let capture: RouteCapture;
  let upstream: FakeOpenAi;
  let stack: GatewayStack;
  let document: Document;
  let validator: OpenApiValidator;
  let gatewayKey = '';
  let base = '';

  beforeAll(async () => {
    // Before any Fastify instance exists: the capture hooks each one as it is created.
    capture = captureFastifyRoutes();
    upstream = await startFakeOpenAi({ validKeys: [PROVIDER_KEY] });
    stack = await startGatewayStack({ openaiBaseUrl: upstream.baseUrl });
    base = stack.ingressUrls[0];
    const served = await fetch(`${base}/openapi.json`);
    expect(served.status).toBe(200);
    document = (await served.json()) as Document;
    validator = createOpenApiValidator(document);
  });

  afterAll(async () => {
    capture?.stop();
    await stack?.close();
    await upstream?.close();
  });

  /** One request to the gateway, checked against the description of `method template`; its status and body for further checks. */
  async function call(
    method: string,
    template: string,
    init: { path?: string; auth?: 'gateway' | 'admin' | 'none'; body?: string; headers?: Record<string, string> } = {},
  ): Promise<{ status: number; text: string; contentType: string }> {
    const token = init.auth === 'admin' ? stack.adminToken : init.auth === 'gateway' ? gatewayKey : undefined;
    const response = await fetch(`${base}${init.path ?? template}`, {
      method,
      headers: { ...(init.body !== undefined ? { 'content-type': 'application/json' } : {}), ...(token ? { authorization: `Bearer ${token}` } : {}), ...init.headers },
      body: init.body,
    });
    const text = await response.text();
    const contentType = response.headers.get('content-type') ?? '';
    expect(validator.problems({ method, path: template, status: response.status, contentType, body: text })).toEqual([]);
    return { status: response.status, text, contentType };
  }

  it('is the description kept in the repository (apps/ingress/openapi/openapi.json)', () => {
    expect(document).toEqual(JSON.parse(readFileSync(join(REPO_ROOT, 'apps/ingress/openapi/openapi.json'), 'utf8')));
    expect(document.openapi).toMatch(/^3\.1\./);
  });

  it('describes every route ingress registers, and ingress serves every described operation', () => {
    const routes = capture.routesOn(Number(new URL(base).port));
    if (!routes) throw new Error(`no Fastify instance seen listening on ${base}: the route capture did not attach`);
    expect(routes.has('POST /v1/chat/completions')).toBe(true);
    expect(compareRoutes(routes, document)).toEqual({ undescribed: [], unrouted: [] });
  });

  it('operations: /healthz, /readyz, /openapi.json', async () => {
    expect((await call('GET', '/healthz')).status).toBe(200);
    expect((await call('GET', '/readyz')).status).toBe(200);
    expect((await call('GET', '/openapi.json')).status).toBe(200);
  });

  it('admin: create a gateway key (201, shown once), list it, list providers, add and list provider keys', async () => {
    const noToken = await call('POST', '/admin/v1/api-keys', { body: JSON.stringify({ name: 'openapi' }) });
    expect(noToken.status).toBe(401);
    const created = await call('POST', '/admin/v1/api-keys', { auth: 'admin', body: JSON.stringify({ name: 'openapi' }) });
    expect(created.status).toBe(201);
    gatewayKey = (JSON.parse(created.text) as { key: string }).key;
    expect((await call('GET', '/admin/v1/api-keys', { auth: 'admin' })).status).toBe(200);
    expect((await call('GET', '/admin/v1/providers', { auth: 'admin' })).status).toBe(200);
    const added = await call('POST', '/admin/v1/provider-keys', { auth: 'admin', body: JSON.stringify({ provider: 'openai', key: PROVIDER_KEY, name: 'primary' }) });
    expect(added.status).toBe(201);
    expect((await call('GET', '/admin/v1/provider-keys', { auth: 'admin' })).status).toBe(200);
  });

  it('admin: routing, analytics, and errors (bad body, unknown id)', async () => {
    expect((await call('GET', '/admin/v1/routing/fallbacks', { auth: 'admin' })).status).toBe(200);
    expect((await call('PUT', '/admin/v1/routing/fallbacks', { auth: 'admin', body: JSON.stringify({ fallbacks: { 'gpt-4o': ['gpt-4o-mini'] } }) })).status).toBe(200);
    expect((await call('PUT', '/admin/v1/routing/priority', { auth: 'admin', body: JSON.stringify({ order: ['openai'] }) })).status).toBe(200);
    const put = await call('PUT', '/admin/v1/providers/{id}', { path: '/admin/v1/providers/vllm-openapi', auth: 'admin', body: JSON.stringify({ kind: 'openai', baseUrl: 'http://127.0.0.1:9/v1', models: ['llama-3.1-8b'], enabled: false }) });
    expect(put.status).toBe(201);
    expect((await call('GET', '/admin/v1/analytics/providers', { auth: 'admin' })).status).toBe(200);
    expect((await call('GET', '/admin/v1/analytics/usage', { path: '/admin/v1/analytics/usage?windowSeconds=60', auth: 'admin' })).status).toBe(200);
    expect((await call('PUT', '/admin/v1/routing/priority', { auth: 'admin', body: '{"order": "openai"}' })).status).toBe(400);
    expect((await call('DELETE', '/admin/v1/api-keys/{id}', { path: '/admin/v1/api-keys/no-such-key', auth: 'admin' })).status).toBe(404);
    const rotate = (id: string) => call('POST', '/admin/v1/provider-keys/{id}/rotate', { path: `/admin/v1/provider-keys/${id}/rotate`, auth: 'admin', body: JSON.stringify({ key: 'sk-proj-rotatedKey0123' }) });
    expect((await rotate('no-such-key')).status).toBe(404);
    // Found by schemathesis: an id that cannot be a NATS KV key (a newline, a wildcard) was a 502.
    for (const id of ['a%0Ab', '%3E', 'k.*', '%F0%9F%94%91']) expect((await rotate(id)).status).toBe(404);
    // Found by schemathesis: a key the local KMS cannot move to was a 503; the request's fault, 400.
    const rewrap = await call('POST', '/admin/v1/provider-keys/rewrap', { auth: 'admin', body: JSON.stringify({ toKmsKeyId: 'alias/elsewhere' }) });
    expect(rewrap.status).toBe(400);
    expect(JSON.parse(rewrap.text)).toMatchObject({ error: { param: 'toKmsKeyId', code: 'KMS_UNSUPPORTED' } });
  });

  it("admin: a provider kind's fields are set, kept, shown and checked; a credential JSON is a key never shown again", async () => {
    const put = (id: string, body: Record<string, unknown>) =>
      call('PUT', '/admin/v1/providers/{id}', { path: `/admin/v1/providers/${id}`, auth: 'admin', body: JSON.stringify(body) });
    const vertex = await put('gcp-openapi', { kind: 'vertex', baseUrl: 'https://aiplatform.googleapis.com', project: 'openapi-project', location: 'global' });
    expect(vertex.status).toBe(201);
    expect(JSON.parse(vertex.text)).toMatchObject({ id: 'gcp-openapi', kind: 'vertex', project: 'openapi-project', location: 'global' });
    expect(JSON.parse(vertex.text)).not.toHaveProperty('region');
    const moved = await put('gcp-openapi', { location: 'europe-west4' });
    expect(JSON.parse(moved.text)).toMatchObject({ project: 'openapi-project', location: 'europe-west4' });
    const foreign = await put('gcp-openapi', { region: 'us-east-1' });
    expect([foreign.status, JSON.parse(foreign.text).error.param]).toEqual([400, 'region']);
    const missing = await put('aws-openapi', { kind: 'bedrock', baseUrl: 'https://bedrock-runtime.eu-west-1.amazonaws.com' });
    expect([missing.status, JSON.parse(missing.text).error.param]).toEqual([400, 'region']);
    const azure = await put('azure-openapi', { kind: 'azure-openai', baseUrl: 'https://res.openai.azure.com', apiVersion: '2024-10-21', deployments: { 'gpt-4o': 'prod-4o' } });
    expect(JSON.parse(azure.text)).toMatchObject({ apiVersion: '2024-10-21', deployments: { 'gpt-4o': 'prod-4o' } });
    const listed = JSON.parse((await call('GET', '/admin/v1/providers', { auth: 'admin' })).text) as Array<Record<string, unknown>>;
    expect(listed.find((p) => p.id === 'gcp-openapi')).toMatchObject({ project: 'openapi-project', location: 'europe-west4' });
    // An OpenAI-compatible server's switches: set, kept when not named, cleared with null; refused on another kind.
    const compatible = await put('ollama-openapi', { kind: 'openai', baseUrl: 'http://127.0.0.1:11434/v1', compatibility: { omitStreamOptions: true, noStreamUsage: true } });
    expect(JSON.parse(compatible.text)).toMatchObject({ compatibility: { omitStreamOptions: true, noStreamUsage: true } });
    expect(JSON.parse((await put('ollama-openapi', { enabled: false })).text).compatibility).toEqual({ omitStreamOptions: true, noStreamUsage: true });
    expect(JSON.parse((await put('ollama-openapi', { compatibility: null })).text)).not.toHaveProperty('compatibility');
    const badSwitch = await put('ollama-openapi', { compatibility: { omitEverything: true } });
    expect([badSwitch.status, JSON.parse(badSwitch.text).error.param]).toEqual([400, 'compatibility']);
    const wrongKind = await put('gcp-openapi', { compatibility: { noStreamUsage: true } });
    expect([wrongKind.status, JSON.parse(wrongKind.text).error.param]).toEqual([400, 'compatibility']);

    const privateKey = `-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC${'q'.repeat(64)}\n-----END PRIVATE KEY-----\n`;
    const serviceAccount = JSON.stringify({ type: 'service_account', project_id: 'openapi-project', private_key: privateKey, client_email: 'gw@openapi-project.iam.gserviceaccount.com' }, null, 2);
    const added = await call('POST', '/admin/v1/provider-keys', { auth: 'admin', body: JSON.stringify({ provider: 'gcp-openapi', key: serviceAccount, name: 'sa' }) });
    expect(added.status).toBe(201);
    const keys = (await call('GET', '/admin/v1/provider-keys', { auth: 'admin' })).text;
    for (const text of [added.text, keys]) expect(text).not.toContain(privateKey.slice(40, 56));
    const broken = await call('POST', '/admin/v1/provider-keys', { auth: 'admin', body: JSON.stringify({ provider: 'gcp-openapi', key: '{"private_key": "-----BEGIN' }) });
    expect(broken.status).toBe(400);
    expect(broken.text).not.toContain('BEGIN');
  });

  it('chat: a completion, a stream, and a stream that fails after its first chunk', async () => {
    const body = (extra: Record<string, unknown> = {}): string => JSON.stringify({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }], ...extra });
    const unary = await call('POST', '/v1/chat/completions', { auth: 'gateway', body: body() });
    expect(unary.status).toBe(200);
    const stream = await call('POST', '/v1/chat/completions', { auth: 'gateway', body: body({ stream: true, stream_options: { include_usage: true } }) });
    expect(stream.status).toBe(200);
    expect(stream.contentType).toMatch(/^text\/event-stream/);
    expect(stream.text).toContain('data: [DONE]');
    upstream.enqueue({ kind: 'error_event_after_chunks', chunks: 2 });
    const broken = await call('POST', '/v1/chat/completions', { auth: 'gateway', body: body({ stream: true }) });
    expect(broken.status).toBe(200);
    expect(broken.text).not.toContain('[DONE]');
    expect(broken.text).toContain('"error"');
  });

  it('chat errors: 401, 400 (malformed JSON), 404 (unknown model), and a stream refused before its first byte', async () => {
    expect((await call('POST', '/v1/chat/completions', { body: '{}' })).status).toBe(401);
    expect((await call('POST', '/v1/chat/completions', { auth: 'gateway', body: '{"model": "gpt-4o", "messages": [' })).status).toBe(400);
    const unknown = JSON.stringify({ model: 'gpt-9-ultra', messages: [{ role: 'user', content: 'x' }] });
    expect((await call('POST', '/v1/chat/completions', { auth: 'gateway', body: unknown })).status).toBe(404);
    const streamUnknown = JSON.stringify({ model: 'gpt-9-ultra', stream: true, messages: [{ role: 'user', content: 'x' }] });
    const refused = await call('POST', '/v1/chat/completions', { auth: 'gateway', body: streamUnknown });
    expect(refused.status).toBe(404);
    expect(refused.contentType).toMatch(/^application\/json/);
  });

  it('embeddings and models', async () => {
    const embedded = await call('POST', '/v1/embeddings', { auth: 'gateway', body: JSON.stringify({ model: 'text-embedding-3-small', input: ['a', 'b'] }) });
    expect(embedded.status).toBe(200);
    expect((await call('POST', '/v1/embeddings', { auth: 'gateway', body: JSON.stringify({ model: 'text-embedding-3-small', input: [] }) })).status).toBe(400);
    const models = await call('GET', '/v1/models', { auth: 'gateway' });
    expect(models.status).toBe(200);
    expect(JSON.parse(models.text)).toMatchObject({ object: 'list', data: expect.arrayContaining([expect.objectContaining({ id: 'gpt-4o' })]) });
  });

  it('teams: create, list, read, change, spend, a key of the team with its spend, the budget refusal, and delete (409 while it owns keys)', async () => {
    const created = await call('POST', '/admin/v1/teams', { auth: 'admin', body: JSON.stringify({ name: 'openapi-team', budget: { amountUsd: 0.000001, period: 'day' }, limits: { rpm: 100 } }) });
    expect(created.status).toBe(201);
    const team = JSON.parse(created.text) as { id: string };
    const path = `/admin/v1/teams/${team.id}`;
    expect((await call('GET', '/admin/v1/teams', { auth: 'admin' })).status).toBe(200);
    expect((await call('GET', '/admin/v1/teams/{id}', { path, auth: 'admin' })).status).toBe(200);
    expect((await call('PUT', '/admin/v1/teams/{id}', { path, auth: 'admin', body: JSON.stringify({ limits: { rpm: 200, concurrent: 5 } }) })).status).toBe(200);
    expect((await call('PUT', '/admin/v1/teams/{id}', { path, auth: 'admin', body: JSON.stringify({ budget: { amountUsd: 1, period: 'year' } }) })).status).toBe(400);
    expect((await call('GET', '/admin/v1/teams/{id}', { path: '/admin/v1/teams/team_missing', auth: 'admin' })).status).toBe(404);
    const key = await call('POST', '/admin/v1/api-keys', { auth: 'admin', body: JSON.stringify({ name: 'openapi-team-key', teamId: team.id, limits: { tpm: 100000 }, expiresAt: '2999-01-01T00:00:00Z' }) });
    expect(key.status).toBe(201);
    const { id: keyId, key: teamKey } = JSON.parse(key.text) as { id: string; key: string };
    const refused = await fetch(`${base}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${teamKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] }),
    });
    const refusedText = await refused.text();
    expect(validator.problems({ method: 'POST', path: '/v1/chat/completions', status: refused.status, contentType: refused.headers.get('content-type') ?? '', body: refusedText })).toEqual([]);
    expect(refused.status).toBe(429);
    expect(JSON.parse(refusedText)).toMatchObject({ error: { code: 'budget_exceeded', type: 'insufficient_quota' } });
    expect((await call('GET', '/admin/v1/teams/{id}/spend', { path: `${path}/spend`, auth: 'admin' })).status).toBe(200);
    expect((await call('GET', '/admin/v1/api-keys/{id}/spend', { path: `/admin/v1/api-keys/${keyId}/spend`, auth: 'admin' })).status).toBe(200);
    expect((await call('DELETE', '/admin/v1/teams/{id}', { path, auth: 'admin' })).status).toBe(409);
    expect((await call('DELETE', '/admin/v1/api-keys/{id}', { path: `/admin/v1/api-keys/${keyId}`, auth: 'admin' })).status).toBe(204);
    expect((await call('DELETE', '/admin/v1/teams/{id}', { path, auth: 'admin' })).status).toBe(204);
  });

  it('cleanup answers as described: delete the provider key (204) and the gateway key (204)', async () => {
    const keys = JSON.parse((await call('GET', '/admin/v1/provider-keys', { auth: 'admin' })).text) as Array<{ id: string }>;
    expect(keys.length).toBeGreaterThan(0);
    expect((await call('DELETE', '/admin/v1/provider-keys/{id}', { path: `/admin/v1/provider-keys/${keys[0].id}`, auth: 'admin' })).status).toBe(204);
    const apiKeys = JSON.parse((await call('GET', '/admin/v1/api-keys', { auth: 'admin' })).text) as Array<{ id: string }>;
    expect((await call('DELETE', '/admin/v1/api-keys/{id}', { path: `/admin/v1/api-keys/${apiKeys[0].id}`, auth: 'admin' })).status).toBe(204);
  });
});
