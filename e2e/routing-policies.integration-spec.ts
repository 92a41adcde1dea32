// Routing policies end to end (issue 18): the official openai SDK → ingress → router → two fake
// OpenAI-wire providers serving gpt-4o (`openai` and `openai-b`), a fake Anthropic for the
// fallback model, and a fake Azure OpenAI (`azure`, enabled for the cost test only) whose catalog
// price of text-embedding-3-small (0.022 $/MTok) is above OpenAI's (0.02). Policies are changed through the admin API while the stack runs; shares are
// counted over a few hundred requests with stated tolerances, and latency and errors are
// changed on the fakes at runtime.
import OpenAI from 'openai';
import { connect } from '@nats-io/transport-node';
import type { NatsConnection } from '@nats-io/nats-core';
import { UsageEvent } from '@ai-gateway/proto';
import {
  expectEventually,
  FAKE_ANTHROPIC_API_KEY,
  FAKE_AZURE_API_KEY,
  startFakeAnthropic,
  startFakeAzureOpenAi,
  startFakeOpenAi,
  startGatewayStack,
  type FakeAnthropic,
  type FakeAzureOpenAi,
  type FakeOpenAi,
  type GatewayStack,
} from '@ai-gateway/testing';

const KEY_A = 'sk-proj-policiesProviderA0123456789abcd';
const KEY_B = 'sk-proj-policiesProviderB0123456789abcd';
const ASK = [{ role: 'user' as const, content: 'Say hello' }];
const USAGE_SUBJECT = 'gateway.usage.v1';

interface Rig {
  stack: GatewayStack;
  a: FakeOpenAi;
  b: FakeOpenAi;
  anthropic: FakeAnthropic;
  azure: FakeAzureOpenAi;
  client: OpenAI;
  nc: NatsConnection;
  events: UsageEvent[];
  answers: string[];
}

async function ok(result: Promise<{ status: number; body: unknown }>, status = 200): Promise<unknown> {
  const answer = await result;
  if (answer.status !== status && !(status === 200 && answer.status === 201)) throw new Error(`admin call answered ${answer.status}: ${JSON.stringify(answer.body)}`);
  return answer.body;
}

describe('routing policies end to end', () => {
  let rig: Rig;
  let sequence = 0;

  /** One request; the serving provider's id. Every answer is kept for the leak scan. */
  async function route(model = 'gpt-4o'): Promise<string> {
    const { data, response } = await rig.client.chat.completions.create({ model, messages: ASK }, { headers: { 'x-request-id': `policies-${++sequence}` } }).withResponse();
    rig.answers.push(JSON.stringify(data));
    return response.headers.get('x-gateway-provider') ?? '';
  }

  async function shareOf(provider: string, requests: number): Promise<number> {
    let served = 0;
    for (let i = 0; i < requests; i++) if ((await route()) === provider) served++;
    return served / requests;
  }

  async function embed(): Promise<string> {
    const { data, response } = await rig.client.embeddings.create({ model: 'text-embedding-3-small', input: 'Say hello' }, { headers: { 'x-request-id': `policies-${++sequence}` } }).withResponse();
    rig.answers.push(JSON.stringify(data));
    return response.headers.get('x-gateway-provider') ?? '';
  }

  /** PUT the policies, then wait until the router orders by them (its usage events say so). */
  async function setPolicies(policies: unknown, strategy: string, send: () => Promise<string> = route): Promise<void> {
    await ok(rig.stack.admin('PUT', '/admin/v1/routing/policies', policies));
    await expectEventually(async () => {
      await send();
      const id = `policies-${sequence}`;
      await expectEventually(() => expect(rig.events.some((event) => event.correlationId === id)).toBe(true), 5_000);
      expect(rig.events.find((event) => event.correlationId === id)?.routingStrategy).toBe(strategy);
    }, 10_000);
  }

  beforeAll(async () => {
    const a = await startFakeOpenAi({ validKeys: [KEY_A] });
    const b = await startFakeOpenAi({ validKeys: [KEY_B] });
    const anthropic = await startFakeAnthropic();
    const azure = await startFakeAzureOpenAi({ deployments: { embed3: 'text-embedding-3-small' } });
    // No retry on the same provider, and the breaker out of the way: the policies alone decide.
    const stack = await startGatewayStack({ openaiBaseUrl: a.baseUrl, anthropicBaseUrl: anthropic.url, routerEnv: { MAX_RETRIES: '0', BREAKER_FAILURES: '100000', BREAKER_FAILURE_RATE_PERCENT: '0' }, logLevel: 'warn', adapterMode: 'embedded' });
    await ok(stack.admin('PUT', '/admin/v1/providers/openai-b', { kind: 'openai', baseUrl: b.baseUrl, models: ['gpt-4o'] }));
    await ok(stack.admin('POST', '/admin/v1/provider-keys', { provider: 'openai', key: KEY_A }), 201);
    await ok(stack.admin('POST', '/admin/v1/provider-keys', { provider: 'openai-b', key: KEY_B }), 201);
    await ok(stack.admin('POST', '/admin/v1/provider-keys', { provider: 'anthropic', key: FAKE_ANTHROPIC_API_KEY }), 201);
    await ok(stack.admin('PUT', '/admin/v1/providers/azure', { kind: 'azure-openai', baseUrl: azure.url, enabled: false, deployments: { 'text-embedding-3-small': 'embed3' } }));
    await ok(stack.admin('POST', '/admin/v1/provider-keys', { provider: 'azure', key: FAKE_AZURE_API_KEY }), 201);
    const created = (await ok(stack.admin('POST', '/admin/v1/api-keys', { name: 'policies' }), 201)) as { key: string };
    const client = new OpenAI({ apiKey: created.key, baseURL: `${stack.ingressUrls[0]}/v1`, maxRetries: 0 });
    const nc = await connect({ servers: stack.nats.url });
    const events: UsageEvent[] = [];
    const subscription = nc.subscribe(USAGE_SUBJECT);
    void (async () => {
      for await (const message of subscription) events.push(UsageEvent.decode(message.data));
    })();
    rig = { stack, a, b, anthropic, azure, client, nc, events, answers: [] };
    await expectEventually(async () => expect(await route('openai-b/gpt-4o')).toBe('openai-b'), 10_000);
  });

  afterAll(async () => {
    await rig?.nc.close();
    await rig?.stack.close();
    await Promise.all([rig?.a.close(), rig?.b.close(), rig?.anthropic.close(), rig?.azure.close()]);
  });

  beforeEach(async () => {
    rig.a.setPersistent(undefined);
    rig.b.setPersistent(undefined);
    rig.a.setResponseDelayMs(0);
    rig.b.setResponseDelayMs(0);
    await ok(rig.stack.admin('PUT', '/admin/v1/routing/fallbacks', { fallbacks: {} }));
    await ok(rig.stack.admin('PUT', '/admin/v1/routing/priority', { order: ['openai', 'openai-b', 'anthropic', 'azure'] }));
  });

  it('starts with priority, and refuses invalid policies with 400s naming the field', async () => {
    expect((await rig.stack.admin('GET', '/admin/v1/routing/policies')).body).toEqual({ default: { strategy: 'priority' }, models: {} });
    expect(await route()).toBe('openai');
    const refused = async (body: unknown) => {
      const answer = await rig.stack.admin('PUT', '/admin/v1/routing/policies', body);
      expect(answer.status).toBe(400);
      return (answer.body as { error: { type: string; param: string | null; message: string } }).error;
    };
    expect(await refused({ default: { strategy: 'fastest' } })).toMatchObject({ type: 'invalid_request_error', param: 'default.strategy' });
    expect((await refused({ models: { 'gpt-4o': { strategy: 'weighted', weights: { nobody: 1 } } } })).param).toBe('models.gpt-4o.weights.nobody');
    expect((await refused({ models: { 'gpt-4o': { strategy: 'weighted', weights: { openai: 0 } } } })).param).toBe('models.gpt-4o.weights');
    expect((await refused({ models: { 'gpt-4o': { strategy: 'weighted', weights: { openai: -1 } } } })).param).toBe('models.gpt-4o.weights.openai');
    expect((await refused({ models: { 'gpt-4o': { strategy: 'latency', hedge: { afterMs: 0 } } } })).param).toBe('models.gpt-4o.hedge.afterMs');
    expect((await refused({ models: { 'gpt-4o': { strategy: 'latency', hedge: { afterMs: 'p95', maxShare: 2 } } } })).param).toBe('models.gpt-4o.hedge.maxShare');
    expect((await refused({ models: { ['m'.repeat(257)]: { strategy: 'cost' } } })).param).toBe('models');
    // Hostile shapes: too many models, not an object, unknown fields, a strategy of the wrong type.
    const many = Object.fromEntries(Array.from({ length: 1_001 }, (_, i) => [`model-${i}`, { strategy: 'cost' }]));
    expect((await refused({ models: many })).param).toBe('models');
    await refused([{ strategy: 'cost' }]);
    await refused('priority');
    await refused({ default: { strategy: 'priority', sneaky: true } });
    await refused({ default: { strategy: ['priority'] } });
    expect((await rig.stack.admin('GET', '/admin/v1/routing/policies')).body).toEqual({ default: { strategy: 'priority' }, models: {} });
    expect(await route()).toBe('openai');
  });

  it('weighted 3:1 sends 75% ± 8% of 300 requests to the heavier provider, and the events say why', async () => {
    const policies = { default: { strategy: 'priority' }, models: { 'gpt-4o': { strategy: 'weighted', weights: { openai: 3, 'openai-b': 1 }, hedge: { afterMs: 800 } } } };
    await setPolicies(policies, 'weighted');
    expect((await rig.stack.admin('GET', '/admin/v1/routing/policies')).body).toEqual(policies);
    const from = rig.events.length;
    const share = await shareOf('openai', 300);
    expect(share).toBeGreaterThan(0.67);
    expect(share).toBeLessThan(0.83);
    await expectEventually(() => expect(rig.events.length - from).toBeGreaterThanOrEqual(300));
    const reasons = rig.events.slice(from).map((event) => event.routingReason);
    expect(reasons).toContain('weighted: chose openai (weight 3 of 4)');
    expect(reasons).toContain('weighted: chose openai-b (weight 1 of 4)');
  });

  it('cost sends at least 95% of 200 requests to the cheaper provider, over the priority order', async () => {
    await ok(rig.stack.admin('PUT', '/admin/v1/providers/azure', { enabled: true }));
    await ok(rig.stack.admin('PUT', '/admin/v1/routing/priority', { order: ['azure', 'openai', 'openai-b', 'anthropic'] }));
    try {
      // Under priority Azure, first, serves.
      await expectEventually(async () => expect(await embed()).toBe('azure'), 10_000);
      await setPolicies({ models: { 'text-embedding-3-small': { strategy: 'cost' } } }, 'cost', embed);
      let cheaper = 0;
      for (let i = 0; i < 200; i++) if ((await embed()) === 'openai') cheaper++;
      expect(cheaper / 200).toBeGreaterThanOrEqual(0.95);
      const id = `policies-${sequence}`;
      await expectEventually(() => expect(rig.events.some((event) => event.correlationId === id)).toBe(true));
      expect(rig.events.find((event) => event.correlationId === id)?.routingReason).toMatch(/^cost: chose openai \(\$[0-9.e-]+ vs azure \$[0-9.e-]+\)$/);
    } finally {
      await ok(rig.stack.admin('PUT', '/admin/v1/providers/azure', { enabled: false }));
    }
  });

  it('latency: a provider that slows down loses its traffic within 10 requests and regains it within 300 once it recovers', async () => {
    await setPolicies({ models: { 'gpt-4o': { strategy: 'latency' } } }, 'latency');
    // Both measured and equally fast: both serve (near ties are split), so neither is overwhelmed.
    const even = await shareOf('openai', 100);
    expect(even).toBeGreaterThan(0.2);
    expect(even).toBeLessThan(0.8);

    rig.a.setResponseDelayMs(150);
    await shareOf('openai', 10);
    // From here only exploration (10% of requests) reaches it.
    expect(await shareOf('openai', 100)).toBeLessThan(0.25);

    rig.a.setResponseDelayMs(0);
    const recent: string[] = [];
    let requests = 0;
    const regained = () => recent.length === 50 && recent.filter((id) => id === 'openai').length >= 15;
    while (!regained() && requests < 300) {
      recent.push(await route());
      if (recent.length > 50) recent.shift();
      requests++;
    }
    expect(regained()).toBe(true);

    const stats = (await rig.stack.admin('GET', '/admin/v1/routing/stats')).body as { scope: string; stats: Array<{ provider: string; model: string; ewmaLatencyMs: number; latencySamples: number }> };
    expect(stats.scope).toBe('replica');
    const measured = stats.stats.filter((entry) => entry.model === 'gpt-4o').map((entry) => entry.provider).sort();
    expect(measured).toEqual(['openai', 'openai-b']);
    expect(stats.stats.every((entry) => entry.latencySamples > 0 && entry.ewmaLatencyMs > 0)).toBe(true);
    expect(rig.events[rig.events.length - 1].routingReason).toMatch(/^latency: (chose|exploring) openai(-b)? \(ewma \d+ ms vs openai(-b)? \d+ ms/);
  });

  it('availability: an erroring provider gets little traffic (every request still served), and takes it back once it recovers', async () => {
    await setPolicies({ models: { 'gpt-4o': { strategy: 'availability' } } }, 'availability');
    rig.a.setPersistent({ kind: 'status', status: 500 });
    const before = rig.a.chatRequests();
    // Every request answers (a first attempt on the failing provider falls back to the other).
    expect(await shareOf('openai-b', 200)).toBe(1);
    expect((rig.a.chatRequests() - before) / 200).toBeLessThan(0.25);

    rig.a.setPersistent(undefined);
    const recent: string[] = [];
    for (let requests = 0; requests < 300 && !(recent.length === 30 && recent.every((id) => id === 'openai')); requests++) {
      recent.push(await route());
      if (recent.length > 30) recent.shift();
    }
    // Healthy again and first by priority: it serves all but exploration.
    expect(recent.filter((id) => id === 'openai').length).toBeGreaterThanOrEqual(20);
  });

  it.each([
    [{ strategy: 'priority' }],
    [{ strategy: 'weighted', weights: { openai: 1, 'openai-b': 1 } }],
    [{ strategy: 'cost' }],
    [{ strategy: 'latency' }],
    [{ strategy: 'availability' }],
  ])('falls back to the fallback model under %j when every provider of the model fails', async (policy) => {
    await setPolicies({ models: { 'gpt-4o': policy } }, policy.strategy);
    await ok(rig.stack.admin('PUT', '/admin/v1/routing/fallbacks', { fallbacks: { 'gpt-4o': ['claude-3-5-sonnet'] } }));
    rig.a.setPersistent({ kind: 'status', status: 500 });
    rig.b.setPersistent({ kind: 'status', status: 503 });
    await expectEventually(async () => expect(await route()).toBe('anthropic'), 10_000);
    const id = `policies-${sequence}`;
    await expectEventually(() => expect(rig.events.find((event) => event.correlationId === id)).toBeDefined());
    const event = rig.events.find((e) => e.correlationId === id) as UsageEvent;
    expect(event.routingStrategy).toBe(policy.strategy);
    expect(event.attempts.map((attempt) => attempt.provider)).toEqual(expect.arrayContaining(['openai', 'openai-b', 'anthropic']));
  });

  it('hedges as the model policy set through the admin API says: the slow first provider loses, is cancelled upstream, and its elapsed time reaches the figures', async () => {
    await setPolicies({ models: { 'gpt-4o': { strategy: 'priority', hedge: { afterMs: 100, maxShare: 1 } } } }, 'priority');
    rig.a.setResponseDelayMs(2_000);
    const abortedBefore = rig.a.abortedChats();
    expect(await route()).toBe('openai-b');
    const id = `policies-${sequence}`;
    await expectEventually(() => expect(rig.events.find((event) => event.correlationId === id)).toBeDefined());
    const event = rig.events.find((e) => e.correlationId === id) as UsageEvent;
    expect(event.hedged).toBe(true);
    expect(event.attempts.map((attempt) => [attempt.provider, attempt.outcome])).toEqual([
      ['openai', 'hedge_lost'],
      ['openai-b', 'success'],
    ]);
    await expectEventually(() => expect(rig.a.abortedChats() - abortedBefore).toBe(1), 5_000);
    const stats = (await rig.stack.admin('GET', '/admin/v1/routing/stats')).body as { stats: Array<{ provider: string; model: string; ewmaLatencyMs: number }> };
    const slow = stats.stats.find((entry) => entry.provider === 'openai' && entry.model === 'gpt-4o');
    const fast = stats.stats.find((entry) => entry.provider === 'openai-b' && entry.model === 'gpt-4o');
    expect(slow && fast && slow.ewmaLatencyMs > fast.ewmaLatencyMs).toBe(true);

    // Without the hedge the same slow provider is waited for.
    await setPolicies({ models: { 'gpt-4o': { strategy: 'priority' } } }, 'priority');
    rig.a.setResponseDelayMs(300);
    expect(await route()).toBe('openai');
  });

  it('never shows a provider key in an answer, an event, a log line or a metric', async () => {
    const metrics = await Promise.all(['router-0', 'analytics'].map(async (app) => (await fetch(rig.stack.metricsUrl(app))).text()));
    const written = [...rig.answers, ...rig.events.map((event) => JSON.stringify(event)), rig.stack.logText(), ...metrics].join('\n');
    const leaks: string[] = [];
    for (const secret of [KEY_A, KEY_B, FAKE_ANTHROPIC_API_KEY, FAKE_AZURE_API_KEY]) {
      for (let i = 0; i + 16 <= secret.length; i++) if (written.includes(secret.slice(i, i + 16))) leaks.push(`${secret.slice(0, 4)}…[${i}]`);
    }
    expect(leaks).toEqual([]);
  });
});
