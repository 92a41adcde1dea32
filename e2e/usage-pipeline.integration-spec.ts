// Issue 6: the usage pipeline loses nothing. Requests go through the real router; analytics
// is stopped and started again, and nats-server is restarted while requests flow.
import OpenAI from 'openai';
import { expectEventually, startFakeOpenAi, startGatewayStack, type FakeOpenAi, type GatewayStack } from '@ai-gateway/testing';

const PROVIDER_KEY = 'sk-proj-usagePipelineKey0123456789abcdef';

function sumOf(metrics: string, name: string, filter = ''): number {
  return metrics
    .split('\n')
    .filter((line) => line.startsWith(name) && (line[name.length] === '{' || line[name.length] === ' ') && line.includes(filter))
    .reduce((sum, line) => sum + Number(line.split(' ').pop()), 0);
}

describe('usage pipeline', () => {
  let upstream: FakeOpenAi;
  let stack: GatewayStack;
  let client: OpenAI;

  const successes = async (): Promise<number> =>
    sumOf(await (await fetch(stack.metricsUrl('analytics'))).text(), 'gen_ai_gateway_requests_total', 'outcome="success"');
  const dropped = async (): Promise<number> =>
    sumOf(await (await fetch(stack.metricsUrl('router-0'))).text(), 'gen_ai_gateway_usage_events_dropped_total');
  const send = async (n: number): Promise<void> => {
    for (let i = 0; i < n; i++) await client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: `n${i}` }] });
  };

  beforeAll(async () => {
    upstream = await startFakeOpenAi({ validKeys: [PROVIDER_KEY] });
    stack = await startGatewayStack({ openaiBaseUrl: upstream.baseUrl, logLevel: 'warn' });
    const created = await stack.admin('POST', '/admin/v1/api-keys', { name: 'usage' });
    await stack.admin('POST', '/admin/v1/provider-keys', { provider: 'openai', key: PROVIDER_KEY });
    client = new OpenAI({ apiKey: (created.body as { key: string }).key, baseURL: `${stack.ingressUrls[0]}/v1`, maxRetries: 0 });
  });

  afterAll(async () => {
    await stack?.close();
    await upstream?.close();
  });

  it('counts every request once when analytics was down while they were served', async () => {
    await send(5);
    await expectEventually(async () => expect(await successes()).toBe(5));
    await stack.stopApp('analytics');
    await send(10);
    await stack.startApp('analytics');
    // A fresh process starts its counters at zero: it must see exactly the 10 it missed, no replays of the 5.
    await expectEventually(async () => expect(await successes()).toBe(10), 20_000);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(await successes()).toBe(10);
  });

  it('counts every event once, or as dropped, across a nats-server restart while requests flow', async () => {
    const before = await successes();
    const sending = send(30);
    await new Promise((resolve) => setTimeout(resolve, 50));
    await stack.nats.stop();
    await new Promise((resolve) => setTimeout(resolve, 300));
    await stack.nats.restart();
    await sending;
    await expectEventually(async () => expect((await successes()) - before + (await dropped())).toBe(30), 30_000);
    expect(await dropped()).toBe(0);
  });
});
