// Price overrides and added models (issue 17) through the whole stack, driven with the official
// openai SDK: an override changes the cost in the usage event (settled spend and the analytics cost
// metric) and ingress's budget admission; an added model routes to the providers it names, pinned
// or not; bad overrides are OpenAI-shaped 400s.
import OpenAI from 'openai';
import { costUsd } from '@ai-gateway/model-catalog';
import { expectEventually, startFakeOpenAi, startGatewayStack, type FakeOpenAi, type GatewayStack } from '@ai-gateway/testing';

const OPENAI_KEY = 'sk-proj-overridesOpenAiKey0123456789abcdef';
const VLLM_KEY = 'sk-vllm-overridesServerKey0123456789abcdef';
const ADDED_MODEL = 'acme-llm-7b';
const GPT_4O_OVERRIDE = { inputUsdPerMTok: 1_000, outputUsdPerMTok: 3_000 };

interface ModelRow {
  name: string;
  source: string;
  inputUsdPerMTok: number;
  outputUsdPerMTok: number;
  providers: string[];
  kinds: string[];
  builtIn: { inputUsdPerMTok: number; outputUsdPerMTok: number } | null;
}

interface ErrorBody {
  error: { message: string; type: string; param: string | null; code: string | null };
}

describe('model catalog overrides through the stack', () => {
  let openaiUpstream: FakeOpenAi;
  let vllmUpstream: FakeOpenAi;
  let stack: GatewayStack;
  let client: OpenAI;
  let keyId = '';

  beforeAll(async () => {
    openaiUpstream = await startFakeOpenAi({ validKeys: [OPENAI_KEY] });
    vllmUpstream = await startFakeOpenAi({ validKeys: [VLLM_KEY], models: [ADDED_MODEL] });
    stack = await startGatewayStack({ openaiBaseUrl: openaiUpstream.baseUrl });
    expect((await stack.admin('PUT', '/admin/v1/providers/vllm', { kind: 'openai', baseUrl: vllmUpstream.baseUrl })).status).toBe(201);
    expect((await stack.admin('POST', '/admin/v1/provider-keys', { provider: 'openai', key: OPENAI_KEY })).status).toBe(201);
    expect((await stack.admin('POST', '/admin/v1/provider-keys', { provider: 'vllm', key: VLLM_KEY })).status).toBe(201);
    // A budget makes admission reserve (and settle) this key's spend: the settled spend is the usage events' cost.
    const created = await stack.admin('POST', '/admin/v1/api-keys', { name: 'overrides', budget: { amountUsd: 0.5, period: 'total' } });
    expect(created.status).toBe(201);
    const entry = created.body as { id: string; key: string };
    keyId = entry.id;
    client = new OpenAI({ apiKey: entry.key, baseURL: `${stack.ingressUrls[0]}/v1`, maxRetries: 0 });
    await expectEventually(async () => expect((await fetch(`${stack.ingressUrls[0]}/v1/models`, { headers: { authorization: `Bearer ${entry.key}` } })).status).toBe(200));
  });

  afterAll(async () => {
    await stack?.close();
    await vllmUpstream?.close();
    await openaiUpstream?.close();
  });

  const models = async (): Promise<ModelRow[]> => {
    const answer = await stack.admin('GET', '/admin/v1/models');
    expect(answer.status).toBe(200);
    return answer.body as ModelRow[];
  };
  const rowOf = async (name: string): Promise<ModelRow | undefined> => (await models()).find((row) => row.name === name);
  const spentUsd = async (): Promise<number> => ((await stack.admin('GET', `/admin/v1/api-keys/${keyId}/spend`)).body as { spentUsd: number }).spentUsd;
  const costMetric = async (model: string): Promise<number> => {
    const text = await (await fetch(stack.metricsUrl('analytics'))).text();
    return text
      .split('\n')
      .filter((line) => line.startsWith('gen_ai_gateway_cost_usd_total{') && line.includes(`gen_ai_request_model="${model}"`))
      .reduce((sum, line) => sum + Number(line.split(' ').pop()), 0);
  };

  it('lists the built-in catalog with prices, kinds and the providers serving each model', async () => {
    const gpt4o = await rowOf('gpt-4o');
    expect(gpt4o).toMatchObject({ source: 'catalog', inputUsdPerMTok: 2.5, outputUsdPerMTok: 10, builtIn: { inputUsdPerMTok: 2.5, outputUsdPerMTok: 10 } });
    expect(gpt4o?.kinds).toContain('openai');
    expect(gpt4o?.providers).toContain('openai');
    // An OpenAI-compatible server serves only what it declares.
    expect(gpt4o?.providers).not.toContain('vllm');
    expect(await rowOf(ADDED_MODEL)).toBeUndefined();
  });

  it.each([
    ['a negative price', 'gpt-4o', { inputUsdPerMTok: -1 }, 'inputUsdPerMTok'],
    ['a price that is not a number', 'gpt-4o', { outputUsdPerMTok: '3' }, 'outputUsdPerMTok'],
    ['a price past the sane maximum', 'gpt-4o', { inputUsdPerMTok: 1e9 }, 'inputUsdPerMTok'],
    ['a context window that is not a whole number', 'gpt-4o', { contextWindow: 1.5 }, 'contextWindow'],
    ['a context window past int32', 'gpt-4o', { contextWindow: 2 ** 40 }, 'contextWindow'],
    ['an unknown field', 'gpt-4o', { inputPrice: 1 }, 'inputPrice'],
    ['an unknown provider', 'gpt-4o', { providers: ['nope'] }, 'providers'],
    ['a provider named twice', ADDED_MODEL, { inputUsdPerMTok: 1, outputUsdPerMTok: 1, providers: ['vllm', 'vllm'] }, 'providers'],
    ['an override that sets nothing', 'gpt-4o', {}, 'name'],
    ['a new model without providers', ADDED_MODEL, { inputUsdPerMTok: 1, outputUsdPerMTok: 1 }, 'providers'],
    ['a new model without an output price', ADDED_MODEL, { inputUsdPerMTok: 1, providers: ['vllm'] }, 'outputUsdPerMTok'],
    ['a name longer than 200 characters', 'm'.repeat(201), { inputUsdPerMTok: 1, outputUsdPerMTok: 1, providers: ['vllm'] }, 'name'],
    ['a name that reads as a pinned model', `vllm/${ADDED_MODEL}`, { inputUsdPerMTok: 1, outputUsdPerMTok: 1, providers: ['vllm'] }, 'name'],
  ])('refuses %s with an OpenAI-shaped 400', async (_case, name, body, param) => {
    const answer = await stack.admin('PUT', `/admin/v1/models/${encodeURIComponent(name)}`, body);
    expect(answer.status).toBe(400);
    const error = (answer.body as ErrorBody).error;
    expect(error.type).toBe('invalid_request_error');
    expect(error.param).toBe(param);
    expect(error.message.length).toBeLessThan(400);
  });

  it('answers 404 for removing an override that does not exist, and 400 for a body that is not JSON', async () => {
    const missing = await stack.admin('DELETE', '/admin/v1/models/gpt-4o');
    expect(missing.status).toBe(404);
    expect((missing.body as ErrorBody).error.message).toContain('gpt-4o');
    const notJson = await fetch(`${stack.ingressUrls[0]}/admin/v1/models/gpt-4o`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${stack.adminToken}`, 'content-type': 'application/json' },
      body: '{"inputUsdPerMTok": 1',
    });
    expect(notJson.status).toBe(400);
  });

  it('admits a request at the built-in price, then refuses it once an override makes its worst case pass the budget', async () => {
    const request = { model: 'gpt-4o', max_tokens: 200, messages: [{ role: 'user' as const, content: 'hi' }] };
    // Built in: 200 output tokens at $10/M reserve $0.002, well inside $0.50.
    expect((await client.chat.completions.create(request)).choices[0].message.content).toBeTruthy();
    const put = await stack.admin('PUT', '/admin/v1/models/gpt-4o', GPT_4O_OVERRIDE);
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({ name: 'gpt-4o', source: 'override', ...GPT_4O_OVERRIDE, builtIn: { inputUsdPerMTok: 2.5, outputUsdPerMTok: 10 } });
    // Overridden: 200 output tokens at $3000/M reserve $0.60 > $0.50. The PUT answered once this ingress applied it.
    const refused = await client.chat.completions.create(request).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(refused).toBeInstanceOf(OpenAI.RateLimitError);
    expect((refused as InstanceType<typeof OpenAI.RateLimitError>).code).toBe('budget_exceeded');
  });

  it('routes an added model to the provider it names, pinned and unpinned, and prices it', async () => {
    const put = await stack.admin('PUT', `/admin/v1/models/${ADDED_MODEL}`, { inputUsdPerMTok: 7, outputUsdPerMTok: 9, maxOutputTokens: 4096, providers: ['vllm'] });
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({ name: ADDED_MODEL, source: 'override', kinds: ['added'], providers: ['vllm'], builtIn: null, inputUsdPerMTok: 7, outputUsdPerMTok: 9 });
    const before = vllmUpstream.chatRequests();
    // The router follows the snapshot on its own: the first answers may still be 404 (unknown model).
    const unpinned = await expectEventually(() => client.chat.completions.create({ model: ADDED_MODEL, max_tokens: 5, messages: [{ role: 'user', content: 'hi' }] }).withResponse());
    expect(unpinned.response.headers.get('x-gateway-provider')).toBe('vllm');
    const pinned = await client.chat.completions.create({ model: `vllm/${ADDED_MODEL}`, max_tokens: 5, messages: [{ role: 'user', content: 'hi' }] }).withResponse();
    expect(pinned.response.headers.get('x-gateway-provider')).toBe('vllm');
    expect(vllmUpstream.chatRequests()).toBeGreaterThan(before);
    expect(vllmUpstream.requests.filter((r) => r.path === '/v1/chat/completions').every((r) => r.body?.model === ADDED_MODEL)).toBe(true);
    const listed = await fetch(`${stack.ingressUrls[0]}/v1/models`, { headers: { authorization: `Bearer ${client.apiKey}` } });
    expect(((await listed.json()) as { data: Array<{ id: string }> }).data.map((m) => m.id)).toContain(ADDED_MODEL);
    await expectEventually(async () => expect(await costMetric(ADDED_MODEL)).toBeGreaterThan(0), 15_000);
  });

  it('prices a request at the overridden price in its usage event: the settled spend and the cost metric', async () => {
    // The router applied the gpt-4o override: it applied the later added model already (snapshots arrive in order).
    const spentBefore = await expectEventually(async () => {
      const spend = (await stack.admin('GET', `/admin/v1/api-keys/${keyId}/spend`)).body as { spentUsd: number; inFlight: number; reservedUsd: number };
      expect(spend.inFlight).toBe(0);
      expect(spend.reservedUsd).toBe(0);
      return spend.spentUsd;
    }, 20_000);
    const metricBefore = await costMetric('gpt-4o');
    // 10 output tokens at most: a $0.03 reservation fits the budget left.
    const completion = await client.chat.completions.create({ model: 'gpt-4o', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] });
    const usage = { promptTokens: completion.usage?.prompt_tokens ?? 0, completionTokens: completion.usage?.completion_tokens ?? 0 };
    expect(usage.promptTokens).toBeGreaterThan(0);
    const expected = costUsd({ price: GPT_4O_OVERRIDE }, usage);
    await expectEventually(async () => expect((await spentUsd()) - spentBefore).toBeCloseTo(expected, 12), 20_000);
    await expectEventually(async () => expect((await costMetric('gpt-4o')) - metricBefore).toBeCloseTo(expected, 9), 20_000);
  });

  it('removes overrides: a catalog model returns to its built-in price, an added model is unknown again', async () => {
    expect((await stack.admin('DELETE', '/admin/v1/models/gpt-4o')).status).toBe(204);
    expect(await rowOf('gpt-4o')).toMatchObject({ source: 'catalog', inputUsdPerMTok: 2.5, outputUsdPerMTok: 10 });
    expect((await stack.admin('DELETE', `/admin/v1/models/${ADDED_MODEL}`)).status).toBe(204);
    expect(await rowOf(ADDED_MODEL)).toBeUndefined();
    await expectEventually(async () => {
      const error = await client.chat.completions.create({ model: ADDED_MODEL, max_tokens: 5, messages: [{ role: 'user', content: 'hi' }] }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(OpenAI.NotFoundError);
    });
  });
});
