// MAX_INFLIGHT_REQUESTS: a flood of requests while the provider is slow is refused at the edge,
// at once and in the client's format, instead of queueing in ingress's and the router's memory;
// the requests within the cap are served, the refused ones are metered once, and the gateway
// takes requests again as soon as one ends. Health and admin requests take no slot.
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { expectEventually, startFakeOpenAi, startGatewayStack, sumOfSeries, type FakeOpenAi, type GatewayStack } from '@ai-gateway/testing';

const PROVIDER_KEY = 'sk-proj-inflightLimitKey0123456789abcdefABCD';
const MAX_INFLIGHT_REQUESTS = 4;
const FLOOD = 60;

describe('the cap on requests in flight (MAX_INFLIGHT_REQUESTS)', () => {
  let upstream: FakeOpenAi;
  let stack: GatewayStack;
  let gatewayKey: string;
  let url: string;

  const analyticsSum = async (...labels: string[]): Promise<number> => sumOfSeries(await (await fetch(stack.metricsUrl('analytics'))).text(), 'gen_ai_gateway_requests_total', ...labels);

  beforeAll(async () => {
    upstream = await startFakeOpenAi({ validKeys: [PROVIDER_KEY] });
    stack = await startGatewayStack({ openaiBaseUrl: upstream.baseUrl, env: { MAX_INFLIGHT_REQUESTS: String(MAX_INFLIGHT_REQUESTS) } });
    url = stack.ingressUrls[0];
    gatewayKey = ((await stack.admin('POST', '/admin/v1/api-keys', { name: 'flood' })).body as { key: string }).key;
    expect((await stack.admin('POST', '/admin/v1/provider-keys', { provider: 'openai', key: PROVIDER_KEY })).status).toBe(201);
  });

  afterAll(async () => {
    await stack?.close();
    await upstream?.close();
  });

  it('serves the requests within the cap, refuses a flood over it at once with 503 + Retry-After, meters each refusal once, and serves again after', async () => {
    const openai = new OpenAI({ apiKey: gatewayKey, baseURL: `${url}/v1`, maxRetries: 0 });
    const anthropic = new Anthropic({ apiKey: gatewayKey, baseURL: url, maxRetries: 0 });
    const release = upstream.holdAnswers();
    const held = [
      openai.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'held 1' }] }),
      openai.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'held 2' }] }),
      (async () => {
        const stream = await openai.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'held 3' }], stream: true });
        let text = '';
        for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? '';
        return text;
      })(),
      anthropic.messages.create({ model: 'gpt-4o', max_tokens: 16, messages: [{ role: 'user', content: 'held 4' }] }).then((message) => message.content.length),
    ];
    try {
      await expectEventually(() => expect(upstream.heldRequests()).toBe(MAX_INFLIGHT_REQUESTS));

      const started = Date.now();
      const flood = await Promise.all(
        Array.from({ length: FLOOD }, async (_, i) => {
          const response = await fetch(`${url}/v1/chat/completions`, {
            method: 'POST',
            headers: { authorization: `Bearer ${gatewayKey}`, 'content-type': 'application/json' },
            body: JSON.stringify({ model: 'gpt-4o', messages: [{ role: 'user', content: `flood ${i}` }] }),
          });
          return { status: response.status, retryAfter: response.headers.get('retry-after'), connection: response.headers.get('connection'), body: (await response.json()) as { error: { type: string; code: string; message: string } } };
        }),
      );
      // Refused at the edge, never queued behind the held requests (which wait as long as the test holds them).
      expect(Date.now() - started).toBeLessThan(5_000);
      expect(flood.map((answer) => answer.status)).toEqual(Array(FLOOD).fill(503));
      expect(flood[0].retryAfter).toBe('1');
      expect(flood[0].connection).toBe('close');
      expect(flood[0].body.error).toMatchObject({ type: 'service_unavailable', code: 'gateway_overloaded' });
      expect(flood[0].body.error.message).toContain(String(MAX_INFLIGHT_REQUESTS));
      expect(upstream.heldRequests()).toBe(MAX_INFLIGHT_REQUESTS);

      // The official SDKs see the refusal in their own shape (and would retry it: 503 with Retry-After).
      const sdkRefusal = await openai.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'sdk' }] }).catch((e: unknown) => e);
      expect(sdkRefusal).toBeInstanceOf(OpenAI.APIError);
      expect((sdkRefusal as InstanceType<typeof OpenAI.APIError>).status).toBe(503);
      const messagesRefusal = await anthropic.messages.create({ model: 'gpt-4o', max_tokens: 16, messages: [{ role: 'user', content: 'sdk' }] }).catch((e: unknown) => e);
      expect(messagesRefusal).toBeInstanceOf(Anthropic.APIError);
      expect((messagesRefusal as InstanceType<typeof Anthropic.APIError>).status).toBe(503);
      expect((messagesRefusal as { error?: { type?: string; error?: { type?: string } } }).error?.error?.type).toBe('overloaded_error');

      // Probes and the operator are not refused by the cap.
      expect((await fetch(`${url}/readyz`)).status).toBe(200);
      expect((await stack.admin('GET', '/admin/v1/api-keys')).status).toBe(200);
    } finally {
      release();
    }
    const answers = await Promise.all(held);
    expect(answers[2]).toBe('Hello from the fake provider.');
    expect(answers[3]).toBe(1);

    // A slot is free again.
    const served = await openai.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'after' }] });
    expect(served.choices[0].message.content).toBeTruthy();

    // One usage event per refused request (the flood, the two SDK calls), and the served ones as successes.
    await expectEventually(async () => expect(await analyticsSum('error_type="gateway_overloaded"')).toBe(FLOOD + 2));
    await expectEventually(async () => expect(await analyticsSum('outcome="success"')).toBe(MAX_INFLIGHT_REQUESTS + 1));
  }, 30_000);
});
