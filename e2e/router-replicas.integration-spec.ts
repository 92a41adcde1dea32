// Router replicas behind every ingress (issue 21; closes issue 12's rolling-restart gap): ROUTER_URL
// lists both routers, ingress spreads calls by round robin, and a call a replica refused before
// answering goes to the other. Under steady load from the openai SDK (no SDK retries), each router
// in turn is drained and stopped, then started again on its port: no request fails, both routers
// serve, and every request has exactly one usage event.
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import OpenAI from 'openai';
import { expectEventually, startFakeOpenAi, startGatewayStack, type FakeOpenAi, type GatewayStack } from '@ai-gateway/testing';

const PROVIDER_KEY = 'sk-proj-routerReplicasKey0123456789abcd';
const USAGE_STREAM = 'GATEWAY_USAGE';
const CLIENT_INTERVAL_MS = 40;

async function servedBy(stack: GatewayStack, router: string): Promise<number> {
  const text = await (await fetch(stack.metricsUrl(router))).text();
  return text
    .split('\n')
    .filter((line) => line.startsWith('grpc_server_handled_total{') && /method="(ChatCompletion|StreamChatCompletion)"/.test(line))
    .reduce((sum, line) => sum + Number(line.split(' ').pop()), 0);
}

describe('two routers behind each ingress', () => {
  let upstream: FakeOpenAi;
  let stack: GatewayStack;
  let client: OpenAI;

  beforeAll(async () => {
    upstream = await startFakeOpenAi({ validKeys: [PROVIDER_KEY], chunkDelayMs: 5 });
    stack = await startGatewayStack({
      openaiBaseUrl: upstream.baseUrl,
      routers: 2,
      sharedRouters: true,
      env: { DRAIN_GRACE_MS: '300', DRAIN_TIMEOUT_MS: '5000' },
    });
    expect((await stack.admin('POST', '/admin/v1/provider-keys', { provider: 'openai', key: PROVIDER_KEY })).status).toBe(201);
    const created = await stack.admin('POST', '/admin/v1/api-keys', { name: 'replicas' });
    client = new OpenAI({ apiKey: (created.body as { key: string }).key, baseURL: `${stack.ingressUrls[0]}/v1`, maxRetries: 0, timeout: 30_000 });
  });

  afterAll(async () => {
    await stack?.close();
    await upstream?.close();
  });

  it('drains and restarts each router in turn under load: no request fails, and each has one usage event', async () => {
    const failures: string[] = [];
    let sent = 0;
    let running = true;
    const one = async (stream: boolean): Promise<void> => {
      sent += 1;
      try {
        if (stream) {
          const chunks = await client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }], stream: true });
          let text = '';
          for await (const chunk of chunks) text += chunk.choices[0]?.delta?.content ?? '';
          if (!text) failures.push('an empty stream');
        } else {
          const answer = await client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] });
          if (!answer.choices[0]?.message?.content) failures.push('an empty answer');
        }
      } catch (error) {
        failures.push(error instanceof Error ? error.message : String(error));
      }
    };
    const loop = async (offset: number): Promise<void> => {
      for (let i = offset; running; i++) {
        await one(i % 2 === 0);
        await new Promise((resolve) => setTimeout(resolve, CLIENT_INTERVAL_MS));
      }
    };
    const clients = [loop(0), loop(1)];

    const restart = async (name: string): Promise<void> => {
      const port = stack.apps[name].ports.grpc;
      const before = sent;
      await stack.stopApp(name);
      // Traffic goes on while it is away.
      await expectEventually(() => expect(sent).toBeGreaterThan(before + 10));
      await stack.startApp(name, { GRPC_PORT: String(port) });
      const back = await servedBy(stack, name);
      await expectEventually(async () => expect(await servedBy(stack, name)).toBeGreaterThan(back));
    };
    try {
      await expectEventually(() => expect(sent).toBeGreaterThan(10));
      await restart('router-0');
      await restart('router-1');
    } finally {
      running = false;
      await Promise.all(clients);
    }
    expect(failures).toEqual([]);
    expect(sent).toBeGreaterThan(40);

    const nc = await connect({ servers: stack.nats.url });
    try {
      const jsm = await jetstreamManager(nc);
      await expectEventually(async () => expect((await jsm.streams.info(USAGE_STREAM)).state.messages).toBe(sent));
    } finally {
      await nc.close();
    }
  }, 120_000);
});
