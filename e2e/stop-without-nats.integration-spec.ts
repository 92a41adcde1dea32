// Every service stops while NATS is away (a rollout during a NATS outage): what it releases — the
// usage events it still holds, its consumers, the NATS connection — is given up within the release
// bound. A bare drain of the NATS connection either refused at once ("connection disconnected"),
// which aborted the rest of the release, or, while the client was reconnecting, waited for a server
// that did not come back until runService's forced exit (exit 1).
import OpenAI from 'openai';
import { RELEASE_BOUND_MS } from '@ai-gateway/service-kit';
import { startFakeOpenAi, startGatewayStack, type FakeOpenAi, type GatewayStack } from '@ai-gateway/testing';

const PROVIDER_KEY = 'sk-proj-stopWithoutNats0123456789abcdefAB';

describe('stopping every service while NATS is away', () => {
  let upstream: FakeOpenAi;
  let stack: GatewayStack;

  beforeAll(async () => {
    upstream = await startFakeOpenAi({ validKeys: [PROVIDER_KEY] });
    stack = await startGatewayStack({ openaiBaseUrl: upstream.baseUrl });
  });

  afterAll(async () => {
    await stack?.close();
    await upstream?.close();
  });

  it('closes each service within the release bound, the ones holding unacknowledged usage events included', async () => {
    const created = await stack.admin('POST', '/admin/v1/api-keys', { name: 'stop' });
    expect((await stack.admin('POST', '/admin/v1/provider-keys', { provider: 'openai', key: PROVIDER_KEY })).status).toBe(201);
    const client = new OpenAI({ apiKey: (created.body as { key: string }).key, baseURL: `${stack.ingressUrls[0]}/v1`, maxRetries: 0 });
    expect((await client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] })).choices).toHaveLength(1);

    await stack.nats.stop();
    // Answered while NATS is away: the router and ingress now hold usage events nobody acknowledges.
    await client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'held event' }] }).catch(() => undefined);
    await client.chat.completions.create({ model: 'unknown-model', messages: [{ role: 'user', content: 'refused' }] }).catch(() => undefined);

    const took: Record<string, number> = {};
    for (const name of Object.keys(stack.apps)) {
      const started = Date.now();
      await stack.stopApp(name);
      took[name] = Date.now() - started;
    }
    expect(Object.keys(took).sort()).toEqual(expect.arrayContaining(['analytics', 'config', 'ingress-0', 'key-vault', 'router-0']));
    for (const [name, ms] of Object.entries(took)) expect({ name, withinBound: ms < RELEASE_BOUND_MS }).toEqual({ name, withinBound: true });
  }, 60_000);
});
