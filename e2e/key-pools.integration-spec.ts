// Key pools (issue 18): a provider holding several keys. A 429 on one key cools that key alone
// (traffic moves to the others, the provider keeps serving, its circuit untouched); a 401 takes
// the key out of the pool until it is rotated. The admin key listing shows each key's state as
// the router holds it. The official openai SDK → ingress → router → fake OpenAI that limits per key.
import OpenAI from 'openai';
import { CIRCUIT_STATE_VALUE } from '@ai-gateway/routing';
import { expectEventually, startFakeOpenAi, startGatewayStack, type FakeOpenAi, type GatewayStack } from '@ai-gateway/testing';

const KEY_A = 'sk-proj-poolKeyA0123456789abcdefghijkl';
const KEY_B = 'sk-proj-poolKeyB0123456789abcdefghijkl';
const KEY_C = 'sk-proj-poolKeyC0123456789abcdefghijkl';
const KEY_C_ROTATED = 'sk-proj-poolKeyCrotated0123456789abcd';
const KEY_D = 'sk-proj-poolKeyD0123456789abcdefghijkl';
const ASK = [{ role: 'user' as const, content: 'Say hello' }];

interface ListedKey {
  id: string;
  provider: string;
  last4: string;
  status?: string;
  coolingUntil?: string;
  failingSince?: string;
  failingStatus?: number;
  lastRateLimitedAt?: string;
}

async function ok(result: Promise<{ status: number; body: unknown }>, ...statuses: number[]): Promise<unknown> {
  const { status, body } = await result;
  if (!(statuses.length ? statuses : [200, 201]).includes(status)) throw new Error(`admin call answered ${status}: ${JSON.stringify(body)}`);
  return body;
}

/** The samples of a Prometheus series whose labels include every given one. */
async function metricLines(url: string, name: string, labels: Record<string, string>): Promise<string[]> {
  const text = await (await fetch(url)).text();
  return text
    .split('\n')
    .filter((line) => line.startsWith(`${name}{`))
    .filter((line) => Object.entries(labels).every(([label, value]) => line.includes(`${label}="${value}"`)));
}

async function metricSum(url: string, name: string, labels: Record<string, string>): Promise<number> {
  return (await metricLines(url, name, labels)).reduce((sum, line) => sum + Number(line.split(' ').pop()), 0);
}

describe('key pools', () => {
  let stack: GatewayStack;
  /** Serves provider `openai` with keys A and B. */
  let pooled: FakeOpenAi;
  /** Serves provider `second` (kind openai) with keys C and D. */
  let second: FakeOpenAi;
  let client: OpenAI;
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    pooled = await startFakeOpenAi({ validKeys: [KEY_A, KEY_B] });
    second = await startFakeOpenAi({ validKeys: [KEY_C, KEY_D] });
    stack = await startGatewayStack({
      openaiBaseUrl: pooled.baseUrl,
      logLevel: 'warn',
      // A 429's Retry-After (30 s) is longer than the router waits: the key cools, the request moves on.
      routerEnv: { MAX_RETRIES: '0', RETRY_AFTER_MAX_MS: '1000', BREAKER_FAILURES: '3' },
    });
    await ok(stack.admin('PUT', '/admin/v1/providers/second', { kind: 'openai', baseUrl: second.baseUrl, models: ['gpt-4o'] }));
    for (const [name, provider, key] of [
      ['A', 'openai', KEY_A],
      ['B', 'openai', KEY_B],
      ['C', 'second', KEY_C],
      ['D', 'second', KEY_D],
    ] as const) {
      ids[name] = ((await ok(stack.admin('POST', '/admin/v1/provider-keys', { provider, key, name }), 201)) as ListedKey).id;
    }
    const created = (await ok(stack.admin('POST', '/admin/v1/api-keys', { name: 'key-pools' }), 201)) as { key: string };
    client = new OpenAI({ apiKey: created.key, baseURL: `${stack.ingressUrls[0]}/v1`, maxRetries: 0 });
    await expectEventually(async () => {
      const { response } = await client.chat.completions.create({ model: 'second/gpt-4o', messages: ASK }).withResponse();
      expect(response.headers.get('x-gateway-provider')).toBe('second');
      await client.chat.completions.create({ model: 'openai/gpt-4o', messages: ASK });
    }, 10_000);
  });

  afterAll(async () => {
    await stack?.close();
    await Promise.all([pooled?.close(), second?.close()]);
  });

  const listed = async (): Promise<Record<string, ListedKey>> => {
    const entries = (await ok(stack.admin('GET', '/admin/v1/provider-keys'))) as ListedKey[];
    return Object.fromEntries(Object.entries(ids).map(([name, id]) => [name, entries.find((entry) => entry.id === id) as ListedKey]));
  };
  const sentWith = (fake: FakeOpenAi, key: string, from: number): number =>
    fake.requests.slice(from).filter((r) => r.path === '/v1/chat/completions' && r.headers.authorization === `Bearer ${key}`).length;

  it('a 429 on key A cools A alone: every request is served with key B, the provider keeps serving, and the listing shows A cooling', async () => {
    const from = pooled.requests.length;
    pooled.rateLimitKey(KEY_A, 30);
    try {
      for (let i = 0; i < 6; i++) {
        const { data, response } = await client.chat.completions.create({ model: 'openai/gpt-4o', messages: ASK }).withResponse();
        expect(data.choices[0].message.content).toBe('Hello from the fake provider.');
        expect(response.headers.get('x-gateway-provider')).toBe('openai');
      }
      expect(sentWith(pooled, KEY_A, from)).toBe(1);
      expect(sentWith(pooled, KEY_B, from)).toBe(6);
      const keys = await listed();
      expect(keys.A).toMatchObject({ status: 'cooling', last4: KEY_A.slice(-4) });
      expect(Date.parse(keys.A.coolingUntil ?? '')).toBeGreaterThan(Date.parse(keys.A.lastRateLimitedAt ?? ''));
      expect(keys.B).toMatchObject({ status: 'ok' });
      expect(keys.B.lastRateLimitedAt).toBeUndefined();
      // A 429 is the key's, never the provider's: its circuit stays closed.
      const circuit = await metricLines(stack.metricsUrl('router-0'), 'gen_ai_gateway_circuit_breaker_state', { gen_ai_gateway_provider_id: 'openai' });
      expect(circuit.length).toBeGreaterThan(0);
      for (const line of circuit) expect(Number(line.split(' ').pop())).toBe(CIRCUIT_STATE_VALUE.closed);
      await expectEventually(async () => expect(await metricSum(stack.metricsUrl('analytics'), 'gen_ai_gateway_key_cooldowns_total', { gen_ai_gateway_provider_id: 'openai' })).toBe(1), 5_000);
    } finally {
      pooled.rateLimitKey(KEY_A, undefined);
    }
  });

  it('a 401 on key C takes C out of the pool (failing in the listing) until it is rotated', async () => {
    const from = second.requests.length;
    second.setValidKeys([KEY_D]);
    for (let i = 0; i < 4; i++) {
      const { response } = await client.chat.completions.create({ model: 'second/gpt-4o', messages: ASK }).withResponse();
      expect(response.headers.get('x-gateway-provider')).toBe('second');
    }
    expect(sentWith(second, KEY_C, from)).toBe(1);
    expect(sentWith(second, KEY_D, from)).toBe(4);
    const failing = await listed();
    expect(failing.C).toMatchObject({ status: 'failing', failingStatus: 401 });
    expect(Number.isNaN(Date.parse(failing.C.failingSince ?? ''))).toBe(false);
    expect(failing.D).toMatchObject({ status: 'ok' });

    second.setValidKeys([KEY_C_ROTATED, KEY_D]);
    await ok(stack.admin('POST', `/admin/v1/provider-keys/${ids.C}/rotate`, { key: KEY_C_ROTATED }));
    await expectEventually(async () => expect((await listed()).C).toMatchObject({ status: 'ok', last4: KEY_C_ROTATED.slice(-4) }), 5_000);
    const afterRotation = second.requests.length;
    for (let i = 0; i < 4; i++) await client.chat.completions.create({ model: 'second/gpt-4o', messages: ASK });
    expect(sentWith(second, KEY_C_ROTATED, afterRotation)).toBeGreaterThan(0);
  });

  it('least_recently_limited sends traffic to the key that was never limited, even when the limited one is back', async () => {
    await ok(stack.admin('PUT', '/admin/v1/providers/second', { keySelection: 'least_recently_limited' }));
    expect(((await ok(stack.admin('GET', '/admin/v1/providers'))) as Array<{ id: string; keySelection?: string }>).find((p) => p.id === 'second')?.keySelection).toBe(
      'least_recently_limited',
    );
    second.rateLimitKey(KEY_D, 1);
    // The router learns D was limited (1 s cooldown), then D is back.
    await expectEventually(async () => {
      await client.chat.completions.create({ model: 'second/gpt-4o', messages: ASK });
      expect((await listed()).D.lastRateLimitedAt).toBeDefined();
    }, 10_000);
    second.rateLimitKey(KEY_D, undefined);
    await expectEventually(async () => expect((await listed()).D.status).toBe('ok'), 5_000);
    const from = second.requests.length;
    for (let i = 0; i < 4; i++) await client.chat.completions.create({ model: 'second/gpt-4o', messages: ASK });
    expect(sentWith(second, KEY_C_ROTATED, from)).toBe(4);
    expect(sentWith(second, KEY_D, from)).toBe(0);
  });

  it('never shows a provider key, whole or as any 16-character slice, in the listing, the metrics or the logs', async () => {
    const written = [
      JSON.stringify((await stack.admin('GET', '/admin/v1/provider-keys')).body),
      JSON.stringify((await stack.admin('GET', '/admin/v1/providers')).body),
      await (await fetch(stack.metricsUrl('router-0'))).text(),
      await (await fetch(stack.metricsUrl('analytics'))).text(),
      stack.logText(),
    ].join('\n');
    const leaks: string[] = [];
    for (const secret of [KEY_A, KEY_B, KEY_C, KEY_C_ROTATED, KEY_D]) {
      for (let i = 0; i + 16 <= secret.length; i++) if (written.includes(secret.slice(i, i + 16))) leaks.push(`${secret.slice(0, 12)}…[${i}]`);
    }
    expect(leaks).toEqual([]);
  });

  it('refuses an unknown keySelection with a 400 naming the field', async () => {
    const refused = await stack.admin('PUT', '/admin/v1/providers/second', { keySelection: 'random' });
    expect(refused.status).toBe(400);
    expect(refused.body).toMatchObject({ error: { param: 'keySelection' } });
  });
});
