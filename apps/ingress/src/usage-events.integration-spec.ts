// Usage events of requests ingress answers or loses itself, on the real stack: every request has
// exactly one event on GATEWAY_USAGE, under the id its client was given (x-gateway-request-id), and
// a client that leaves before its answer still has one (the router's when the call reached it).
import { connect as netConnect } from 'node:net';
import { jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import { connect } from '@nats-io/transport-node';
import { UsageEvent } from '@ai-gateway/proto';
import { expectEventually, startFakeOpenAi, startGatewayStack, type FakeOpenAi, type GatewayStack } from '@ai-gateway/testing';

const PROVIDER_KEY = 'sk-proj-ingressUsageEvents0123456789';

async function storedEvents(jsm: JetStreamManager): Promise<UsageEvent[]> {
  const info = await jsm.streams.info('GATEWAY_USAGE');
  const out: UsageEvent[] = [];
  for (let seq = info.state.first_seq; seq <= info.state.last_seq && info.state.messages > 0; seq++) {
    const message = await jsm.streams.getMessage('GATEWAY_USAGE', { seq }).catch(() => null);
    if (message) out.push(UsageEvent.decode(message.data));
  }
  return out;
}

describe('ingress: one usage event per request, under the id its client got', () => {
  let upstream: FakeOpenAi;
  let stack: GatewayStack;
  let nc: NatsConnection;
  let jsm: JetStreamManager;
  let apiKey: string;

  beforeAll(async () => {
    upstream = await startFakeOpenAi({ validKeys: [PROVIDER_KEY], responseDelayMs: 500 });
    stack = await startGatewayStack({ openaiBaseUrl: upstream.baseUrl, logLevel: 'warn' });
    expect((await stack.admin('POST', '/admin/v1/provider-keys', { provider: 'openai', key: PROVIDER_KEY })).status).toBe(201);
    apiKey = ((await stack.admin('POST', '/admin/v1/api-keys', { name: 'ingress-usage-events' })).body as { key: string }).key;
    nc = await connect({ servers: stack.nats.url });
    jsm = await jetstreamManager(nc);
  }, 120_000);
  afterAll(async () => {
    await nc?.close();
    await stack?.close();
    await upstream?.close();
  });

  /** Sends a chat request on a raw socket and leaves `afterMs` after its last body byte went out. */
  function sendAndLeave(correlationId: string, content: string, afterMs: number): Promise<void> {
    const url = new URL(stack.ingressUrls[0]);
    const body = JSON.stringify({ model: 'gpt-4o', messages: [{ role: 'user', content }] });
    return new Promise<void>((resolve) => {
      const socket = netConnect(Number(url.port), url.hostname, () => {
        socket.write(
          `POST /v1/chat/completions HTTP/1.1\r\nhost: x\r\nauthorization: Bearer ${apiKey}\r\ncontent-type: application/json\r\n` +
            `x-request-id: ${correlationId}\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n`,
        );
        socket.write(body, () =>
          setTimeout(() => {
            socket.destroy();
            resolve();
          }, afterMs),
        );
      });
      socket.on('error', () => resolve());
    });
  }

  it('a refusal at ingress (400) is stored once, under its x-gateway-request-id', async () => {
    const response = await fetch(`${stack.ingressUrls[0]}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json', 'x-request-id': 'usage-events-400' },
      body: '{not json',
    });
    expect(response.status).toBe(400);
    const id = response.headers.get('x-gateway-request-id');
    expect(id).toMatch(/^req_/);
    await expectEventually(async () => {
      const mine = (await storedEvents(jsm)).filter((e) => e.correlationId === 'usage-events-400');
      expect(mine.map((e) => [e.requestId, e.httpStatus])).toEqual([[id, 400]]);
    }, 10_000);
  }, 30_000);

  it('clients that leave right after their body: each has exactly one event, 499 cancelled', async () => {
    const ids = Array.from({ length: 6 }, (_, i) => `usage-events-left-${i}`);
    await Promise.all(ids.map((id, i) => sendAndLeave(id, 'x'.repeat(512 * 1024), i * 3)));
    await expectEventually(async () => {
      const events = await storedEvents(jsm);
      for (const id of ids) {
        const mine = events.filter((e) => e.correlationId === id);
        expect({ id, events: mine.map((e) => `${e.httpStatus} ${e.errorType}`) }).toEqual({ id, events: ['499 cancelled'] });
      }
    }, 15_000, 200);
  }, 60_000);

  it('a client that leaves while the provider answers: one event, the router’s (ingress’s later 499 is the duplicate)', async () => {
    await sendAndLeave('usage-events-left-late', 'hello', 200);
    // Past ingress's delay (CANCELLED_EVENT_DELAY_MS): its own 499 was published too by then.
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    const mine = (await storedEvents(jsm)).filter((e) => e.correlationId === 'usage-events-left-late');
    expect(mine.map((e) => [e.httpStatus, e.errorType, e.provider])).toEqual([[499, 'cancelled', 'openai']]);
  }, 30_000);
});
