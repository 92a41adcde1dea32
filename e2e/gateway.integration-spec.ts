// The foundation's end-to-end path: the official openai SDK → ingress → router → adapter-openai
// → a fake OpenAI that follows the published wire format, with config and key-vault consulted
// and the usage event counted by analytics.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import OpenAI from 'openai';
import {
  expectEventually,
  metricFamiliesReferenced,
  REPO_ROOT,
  startFakeOpenAi,
  startGatewayStack,
  type FakeOpenAi,
  type GatewayStack,
} from '@ai-gateway/testing';

const PROVIDER_KEY = 'sk-proj-e2eProviderKey0123456789abcdef';

describe('gateway end to end', () => {
  let upstream: FakeOpenAi;
  let stack: GatewayStack;
  let gatewayKey: string;
  let client: OpenAI;
  const responses: string[] = [];

  beforeAll(async () => {
    upstream = await startFakeOpenAi({ validKeys: [PROVIDER_KEY] });
    stack = await startGatewayStack({ openaiBaseUrl: upstream.baseUrl, env: { MAX_BODY_BYTES: '65536' } });
    const created = await stack.admin('POST', '/admin/v1/api-keys', { name: 'e2e' });
    expect(created.status).toBe(201);
    gatewayKey = (created.body as { key: string }).key;
    const added = await stack.admin('POST', '/admin/v1/provider-keys', { provider: 'openai', key: PROVIDER_KEY, name: 'primary' });
    expect(added.status).toBe(201);
    // The creation answer is the one place a gateway key is shown; everything else is scanned.
    responses.push(JSON.stringify(added.body));
    client = new OpenAI({ apiKey: gatewayKey, baseURL: `${stack.ingressUrls[0]}/v1`, maxRetries: 0 });
  });

  afterAll(async () => {
    await stack?.close();
    await upstream?.close();
  });

  it('is ready once the router answers and config is loaded', async () => {
    const ready = await fetch(`${stack.ingressUrls[0]}/readyz`);
    expect(ready.status).toBe(200);
  });

  it('lists the provider key masked to its last four characters', async () => {
    const listed = await stack.admin('GET', '/admin/v1/provider-keys');
    expect(listed.status).toBe(200);
    expect(listed.body).toEqual([expect.objectContaining({ provider: 'openai', name: 'primary', last4: PROVIDER_KEY.slice(-4) })]);
    expect(JSON.stringify(listed.body)).not.toContain(PROVIDER_KEY.slice(0, 16));
  });

  it('answers a completion with what the provider sent, using the stored provider key upstream', async () => {
    const seen = upstream.requests.length;
    const { data: completion, response } = await client.chat.completions
      .create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'Say hello' }] })
      .withResponse();
    expect(completion.choices[0].message.content).toBe('Hello from the fake provider.');
    expect(completion.usage?.completion_tokens).toBe(6);
    expect(response.headers.get('x-gateway-provider')).toBe('openai');
    expect(response.headers.get('x-gateway-model')).toBe('gpt-4o');
    expect(response.headers.get('x-gateway-attempts')).toBe('1');
    expect(response.headers.get('x-ratelimit-remaining-requests')).toBe('9999');
    const received = upstream.requests.slice(seen);
    expect(received).toHaveLength(1);
    expect(received[0].headers.authorization).toBe(`Bearer ${PROVIDER_KEY}`);
    expect(received[0].body).toMatchObject({ model: 'gpt-4o', messages: [{ role: 'user', content: 'Say hello' }] });
    responses.push(JSON.stringify(completion));
  });

  it('streams chunk by chunk and ends with the usage chunk when asked', async () => {
    const stream = await client.chat.completions.create({
      model: 'gpt-4o',
      messages: [{ role: 'user', content: 'Stream please' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = '';
    let usage: OpenAI.CompletionUsage | null | undefined;
    let chunks = 0;
    for await (const chunk of stream) {
      chunks++;
      text += chunk.choices[0]?.delta?.content ?? '';
      if (chunk.usage) usage = chunk.usage;
      responses.push(JSON.stringify(chunk));
    }
    expect(text).toBe('Hello from the fake provider.');
    expect(chunks).toBe(9);
    expect(usage).toMatchObject({ completion_tokens: 6 });
  });

  it('does not show a usage chunk to a client that did not ask, yet counts the tokens', async () => {
    const stream = await client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'again' }], stream: true });
    const chunks: OpenAI.ChatCompletionChunk[] = [];
    for await (const chunk of stream) chunks.push(chunk);
    expect(chunks.every((c) => c.choices.length === 1)).toBe(true);
    const sent = upstream.requests[upstream.requests.length - 1].body as { stream_options?: { include_usage?: boolean } };
    expect(sent.stream_options?.include_usage).toBe(true);
  });

  it.each([
    ['no key', undefined, "You didn't provide an API key"],
    ['an unknown key', 'gw-not-a-real-key-000000000000000', 'Incorrect API key'],
  ])('refuses %s with 401', async (_case, apiKey, message) => {
    const response = await fetch(`${stack.ingressUrls[0]}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(apiKey ? { authorization: `Bearer ${apiKey}` } : {}) },
      body: JSON.stringify({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] }),
    });
    expect(response.status).toBe(401);
    const body = (await response.json()) as { error: { message: string; type: string; code: string } };
    expect(body.error).toMatchObject({ type: 'authentication_error', code: 'invalid_api_key' });
    expect(body.error.message).toContain(message);
  });

  it.each([
    ['malformed JSON', '{"model": "gpt-4o", "messages": [', 400, 'invalid_json'],
    ['no messages', JSON.stringify({ model: 'gpt-4o', messages: [] }), 400, null],
    ['a bad role', JSON.stringify({ model: 'gpt-4o', messages: [{ role: 'wizard', content: 'x' }] }), 400, null],
    ['a string temperature', JSON.stringify({ model: 'gpt-4o', temperature: 'hot', messages: [{ role: 'user', content: 'x' }] }), 400, null],
    ['an unknown model', JSON.stringify({ model: 'gpt-9-ultra', messages: [{ role: 'user', content: 'x' }] }), 404, 'model_not_found'],
    ['a model no keyed provider serves', JSON.stringify({ model: 'claude-3-5-sonnet', messages: [{ role: 'user', content: 'x' }] }), 503, 'no_provider_available'],
    ['a body over the limit', JSON.stringify({ model: 'gpt-4o', messages: [{ role: 'user', content: 'x'.repeat(70_000) }] }), 413, 'request_too_large'],
  ])('answers %s with an OpenAI-shaped error', async (_case, body, status, code) => {
    const response = await fetch(`${stack.ingressUrls[0]}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${gatewayKey}` },
      body,
    });
    expect(response.status).toBe(status);
    const error = ((await response.json()) as { error: Record<string, unknown> }).error;
    expect(Object.keys(error).sort()).toEqual(['code', 'message', 'param', 'type']);
    if (code) expect(error.code).toBe(code);
  });

  it('maps SDK errors for the same cases to the SDK error classes', async () => {
    await expect(client.chat.completions.create({ model: 'gpt-9-ultra', messages: [{ role: 'user', content: 'x' }] })).rejects.toBeInstanceOf(
      OpenAI.NotFoundError,
    );
  });

  it('lists servable models through the SDK', async () => {
    const models = [];
    for await (const model of client.models.list()) models.push(model.id);
    expect(models).toEqual(expect.arrayContaining(['gpt-4o', 'gpt-3.5-turbo']));
    expect(models.some((id) => id.startsWith('claude'))).toBe(false);
  });

  it('counts every request in analytics /metrics', async () => {
    if (!stack.apps.analytics) throw new Error('analytics app missing from the stack');
    await expectEventually(async () => {
      const metrics = await (await fetch(stack.metricsUrl('analytics'))).text();
      const successes = metrics
        .split('\n')
        .filter((line) => line.startsWith('gen_ai_gateway_requests_total{') && line.includes('outcome="success"') && line.includes('gen_ai_request_model="gpt-4o"'))
        .reduce((sum, line) => sum + Number(line.split(' ').pop()), 0);
      expect(successes).toBeGreaterThanOrEqual(3);
    }, 15_000);
  });

  it('shows provider health and usage by key through the admin API', async () => {
    await expectEventually(async () => {
      const health = await stack.admin('GET', '/admin/v1/analytics/providers');
      expect(health.status).toBe(200);
      expect(health.body).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ provider: 'openai', status: 'healthy', errorRate: 0, latencyMs: { p50: expect.any(Number), p95: expect.any(Number) } }),
        ]),
      );
      const openai = (health.body as Array<{ provider: string; requests: number }>).find((p) => p.provider === 'openai');
      expect(openai?.requests).toBeGreaterThanOrEqual(3);
    }, 15_000);
    const usage = await stack.admin('GET', '/admin/v1/analytics/usage?windowSeconds=300');
    expect(usage.status).toBe(200);
    expect(usage.body).toEqual(expect.arrayContaining([expect.objectContaining({ model: 'gpt-4o', requests: expect.any(Number) })]));
  });

  it('counts requests rejected before routing (auth, validation, size) in analytics', async () => {
    await expectEventually(async () => {
      const metrics = await (await fetch(stack.metricsUrl('analytics'))).text();
      const rejected = (code: string): number =>
        metrics
          .split('\n')
          .filter((line) => line.startsWith('gen_ai_gateway_rejected_total{') && line.includes(`error_type="${code}"`))
          .reduce((sum, line) => sum + Number(line.split(' ').pop()), 0);
      expect(rejected('invalid_api_key')).toBeGreaterThanOrEqual(2);
      expect(rejected('invalid_json')).toBeGreaterThanOrEqual(1);
      expect(rejected('request_too_large')).toBeGreaterThanOrEqual(1);
      expect(rejected('model_not_found')).toBeGreaterThanOrEqual(1);
    }, 15_000);
  });

  it('exports every metric the Grafana dashboard and the alerts query', async () => {
    const dashboard = readFileSync(join(REPO_ROOT, 'deploy/grafana/ai-gateway.json'), 'utf8');
    const rules = readFileSync(join(REPO_ROOT, 'deploy/prometheus/alerts.yaml'), 'utf8');
    const referenced = metricFamiliesReferenced(dashboard, rules);
    expect(referenced.length).toBeGreaterThan(8);
    const exported = new Set<string>();
    for (const app of ['analytics', 'router-0', 'ingress-0']) {
      const text = await (await fetch(stack.metricsUrl(app))).text();
      for (const match of text.matchAll(/^# TYPE (\S+) /gm)) exported.add(match[1]);
    }
    expect(referenced.filter((name) => !exported.has(name))).toEqual([]);
  });

  it('serves process, gRPC and HTTP server metrics from every service', async () => {
    for (const app of Object.keys(stack.apps)) {
      const text = await (await fetch(stack.metricsUrl(app))).text();
      expect(text).toContain('process_resident_memory_bytes');
      if (app.startsWith('ingress')) expect(text).toMatch(/http_server_request_duration_seconds_count\{[^}]*http_route="\/v1\/chat\/completions"/);
      else expect(text).toContain('# TYPE grpc_server_handled_total counter');
    }
  });

  it('never writes the provider key, the gateway key or the admin token to a log or a response', () => {
    const written = stack.logText() + responses.join('\n');
    const leaks: string[] = [];
    for (const secret of [PROVIDER_KEY, gatewayKey, stack.adminToken, stack.serviceCredentials.ingress, stack.serviceCredentials.router]) {
      for (let i = 0; i + 16 <= secret.length; i++) if (written.includes(secret.slice(i, i + 16))) leaks.push(`${secret.slice(0, 4)}…[${i}]`);
    }
    expect(leaks).toEqual([]);
    expect(written.length).toBeGreaterThan(1000);
  });
});
