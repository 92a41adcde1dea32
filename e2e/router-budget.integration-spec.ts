// The router holds a bounded number of request body bytes at once, whichever ingress replica
// sent them: past its budget a request is refused with 503 + Retry-After (and still metered),
// and the bytes come back when requests finish.
import { expectEventually, startFakeOpenAi, startGatewayStack, type FakeOpenAi, type GatewayStack } from '@ai-gateway/testing';

const PROVIDER_KEY = 'sk-proj-routerBudgetKey0123456789abcdefXYZ';
const ROUTER_BUDGET = 4096;

describe('router body budget', () => {
  let upstream: FakeOpenAi;
  let stack: GatewayStack;
  let gatewayKey: string;

  const chat = (content: string) =>
    fetch(`${stack.ingressUrls[0]}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${gatewayKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'gpt-4o', messages: [{ role: 'user', content }] }),
    });
  const overloadedEvents = async (): Promise<number> => {
    const metrics = await (await fetch(stack.metricsUrl('analytics'))).text();
    return metrics
      .split('\n')
      .filter((line) => line.startsWith('gen_ai_gateway_requests_total{') && line.includes('error_type="gateway_overloaded"'))
      .reduce((sum, line) => sum + Number(line.split(' ').pop()), 0);
  };

  beforeAll(async () => {
    upstream = await startFakeOpenAi({ validKeys: [PROVIDER_KEY], responseDelayMs: 1_500 });
    stack = await startGatewayStack({ openaiBaseUrl: upstream.baseUrl, routerEnv: { MAX_INFLIGHT_BODY_BYTES: String(ROUTER_BUDGET) } });
    gatewayKey = ((await stack.admin('POST', '/admin/v1/api-keys', { name: 'budget' })).body as { key: string }).key;
    expect((await stack.admin('POST', '/admin/v1/provider-keys', { provider: 'openai', key: PROVIDER_KEY })).status).toBe(201);
  });

  afterAll(async () => {
    await stack?.close();
    await upstream?.close();
  });

  it('refuses a body that would pass the budget while others are in flight, meters it, and serves again once they finish', async () => {
    const holding = chat('x'.repeat(ROUTER_BUDGET * 0.6));
    await expectEventually(() => expect(upstream.requests.length).toBe(1));
    const refused = await chat('y'.repeat(ROUTER_BUDGET * 0.6));
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBe('1');
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('gateway_overloaded');
    expect((await holding).status).toBe(200);
    expect((await chat('z'.repeat(ROUTER_BUDGET * 0.6))).status).toBe(200);
    await expectEventually(async () => expect(await overloadedEvents()).toBe(1), 15_000);
  }, 30_000);
});
