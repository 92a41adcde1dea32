// Graceful drain (issue 12 item 6; service-kit drain.ts): what a SIGTERM does to ingress and to a
// router, driven through RunningService.drain() on the in-process stack. Short limits, polls for
// every phase change, and only generous upper bounds on time.
import { Agent, request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import { credentials, makeGenericClientConstructor, type Client } from '@grpc/grpc-js';
import { service as healthService } from 'grpc-health-check';
import { expectEventually, startFakeOpenAi, startGatewayStack, type FakeOpenAi, type GatewayStack } from '@ai-gateway/testing';

const PROVIDER_KEY = 'sk-proj-drainProviderKey0123456789abcd';
const GRACE_MS = 1_500;
const TIMEOUT_MS = 6_000;
/** The stream's chunks are this far apart: 9 events make it outlast the grace period. */
const CHUNK_DELAY_MS = 400;
/** Generous: grace + timeout + release, on a loaded machine. */
const DRAIN_BOUND_MS = GRACE_MS + TIMEOUT_MS + 5_000;

type HealthClient = Client & {
  check(request: { service: string }, options: { deadline: number }, callback: (error: Error | null, response?: { status: string | number }) => void): void;
};
const HealthClientConstructor = makeGenericClientConstructor(healthService, 'Health');

function healthStatus(client: HealthClient): Promise<string> {
  return new Promise((resolve) =>
    client.check({ service: '' }, { deadline: Date.now() + 1_000 }, (error, response) => resolve(error ? `error: ${error.message}` : String(response?.status))),
  );
}

describe('graceful drain', () => {
  let upstream: FakeOpenAi;
  let stack: GatewayStack;
  let apiKey: string;

  const chat = (base: string, stream: boolean): Promise<Response> =>
    fetch(`${base}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'gpt-4o', messages: [{ role: 'user', content: 'Say hello' }], stream }),
      signal: AbortSignal.timeout(30_000),
    });

  /** A chat request on `agent`'s connection (node:http, keep-alive): its status and the connection header. */
  const chatOn = (agent: Agent, base: string): Promise<{ status: number; connection: string | undefined }> =>
    new Promise((resolve, reject) => {
      const body = JSON.stringify({ model: 'gpt-4o', messages: [{ role: 'user', content: 'Say hello' }] });
      const req = httpRequest(
        `${base}/v1/chat/completions`,
        { method: 'POST', agent, headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } },
        (res) => {
          res.resume();
          res.once('end', () => resolve({ status: res.statusCode ?? 0, connection: res.headers.connection }));
        },
      );
      req.once('error', reject);
      req.end(body);
    });

  /** Starts a stream and resolves once its first bytes arrived; `rest` is the whole body. */
  async function openStream(base: string): Promise<{ rest: Promise<string> }> {
    const response = await chat(base, true);
    expect(response.status).toBe(200);
    if (!response.body) throw new Error('a stream without a body');
    const reader = response.body.getReader();
    const first = await reader.read();
    const decoder = new TextDecoder();
    let text = decoder.decode(first.value, { stream: true });
    const rest = (async () => {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return text + decoder.decode();
        text += decoder.decode(value, { stream: true });
      }
    })();
    return { rest };
  }

  beforeAll(async () => {
    upstream = await startFakeOpenAi({ validKeys: [PROVIDER_KEY], chunkDelayMs: CHUNK_DELAY_MS });
    stack = await startGatewayStack({
      openaiBaseUrl: upstream.baseUrl,
      routers: 3,
      logLevel: 'warn',
      env: { DRAIN_GRACE_MS: String(GRACE_MS), DRAIN_TIMEOUT_MS: String(TIMEOUT_MS) },
    });
    expect((await stack.admin('POST', '/admin/v1/provider-keys', { provider: 'openai', key: PROVIDER_KEY })).status).toBe(201);
    const created = await stack.admin('POST', '/admin/v1/api-keys', { name: 'drain' });
    apiKey = (created.body as { key: string }).key;
    for (const base of stack.ingressUrls) {
      await expectEventually(async () => {
        const response = await chat(base, false);
        expect(response.status).toBe(200);
      }, 15_000);
    }
  }, 60_000);

  afterAll(async () => {
    await stack?.close();
    await upstream?.close();
  });

  it('ingress: /readyz 503 at once, requests served for the grace period, an open stream ends with [DONE], then 503 gateway_draining with Retry-After', async () => {
    const base = stack.ingressUrls[0];
    const stream = await openStream(base);
    // A client holding an idle keep-alive connection from before the drain.
    const held = new Agent({ keepAlive: true, maxSockets: 1 });
    expect(await chatOn(held, base)).toEqual({ status: 200, connection: 'keep-alive' });
    // A connection that never sends a request (a probe, a client that connected ahead): it must not hold the shutdown.
    const url = new URL(base);
    const silent = connect(Number(url.port), url.hostname);
    await new Promise((resolve) => silent.once('connect', resolve));
    const silentClosed = new Promise((resolve) => silent.once('close', resolve));
    silent.on('error', () => undefined);
    const started = Date.now();
    const drained = stack.apps['ingress-0'].drain();

    await expectEventually(async () => {
      const response = await fetch(`${base}/readyz`);
      expect(response.status).toBe(503);
      expect(await response.json()).toEqual({ status: 'draining' });
    }, 5_000);
    // Still in the grace period: a new request is served (the endpoint update has not reached every client yet).
    const during = await chat(base, false);
    expect(during.status).toBe(200);
    // After the grace period: refused, retryable elsewhere.
    const refused = await expectEventually(async () => {
      const response = await chat(base, false);
      expect(response.status).toBe(503);
      return response;
    }, GRACE_MS + 5_000);
    expect(refused.headers.get('retry-after')).toBe('1');
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('gateway_draining');
    // A Claude-native client is refused in Anthropic's shape.
    const refusedMessages = await fetch(`${base}/v1/messages`, {
      method: 'POST',
      headers: { 'x-api-key': apiKey, 'anthropic-version': '2023-06-01', 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'gpt-4o', max_tokens: 16, messages: [{ role: 'user', content: 'hi' }] }),
    });
    expect(refusedMessages.status).toBe(503);
    expect(await refusedMessages.json()).toMatchObject({ type: 'error', error: { type: 'overloaded_error' } });
    // A request on the connection held from before is served, and that connection closed after it:
    // refusing it would fail a client that did nothing wrong; closing it idle would race with its request.
    expect(await chatOn(held, base)).toEqual({ status: 200, connection: 'close' });
    held.destroy();
    // /healthz still answers while the drain waits for the stream.
    expect((await fetch(`${base}/healthz`)).status).toBe(200);

    const text = await stream.rest;
    expect(text.trimEnd().endsWith('data: [DONE]')).toBe(true);
    expect(text).toContain('"finish_reason":"stop"');
    expect(text).not.toContain('gateway_draining');
    await drained;
    expect(Date.now() - started).toBeLessThan(DRAIN_BOUND_MS);
    await silentClosed; // closed by the gateway, not left to Node's 60 s headers timeout
    await expect(fetch(`${base}/healthz`)).rejects.toThrow(); // closed
  }, 60_000);

  it('router: health NOT_SERVING at once, calls served for the grace period, an open stream completes, then no new calls', async () => {
    const base = stack.ingressUrls[1];
    const routerPort = stack.apps['router-1'].ports.grpc;
    const health = new HealthClientConstructor(`127.0.0.1:${routerPort}`, credentials.createInsecure()) as unknown as HealthClient;
    try {
      expect(await healthStatus(health)).toBe('SERVING');
      const stream = await openStream(base);
      const started = Date.now();
      const drained = stack.apps['router-1'].drain();

      await expectEventually(async () => expect(await healthStatus(health)).toBe('NOT_SERVING'), 5_000);
      // ingress in front of it is no longer ready either (its router is leaving).
      expect((await fetch(`${base}/readyz`)).status).toBe(503);
      const during = await chat(base, false);
      expect(during.status).toBe(200);
      // After the grace period the router takes no new call (its port is closed).
      await expectEventually(async () => {
        const response = await chat(base, false);
        expect(response.status).toBeGreaterThanOrEqual(500);
      }, GRACE_MS + 5_000);

      const text = await stream.rest;
      expect(text.trimEnd().endsWith('data: [DONE]')).toBe(true);
      await drained;
      expect(Date.now() - started).toBeLessThan(DRAIN_BOUND_MS);
    } finally {
      health.close();
    }
  }, 60_000);

  it('ingress: a stream still open when the drain timeout passes ends with an in-band gateway_draining error, never [DONE], a request without its answer gets 503 gateway_draining, and both upstream requests are cancelled', async () => {
    const base = stack.ingressUrls[2];
    // A stream with content, then silence (the router's idle limit is 30 s); an answer that never comes (its limit is 60 s).
    upstream.enqueue({ kind: 'stall_after_chunks', chunks: 3 }, { kind: 'hang' });
    const stream = await openStream(base);
    const waiting = chat(base, false);
    await expectEventually(() => expect(upstream.openConnections()).toBe(2), 5_000);
    const started = Date.now();
    const drained = stack.apps['ingress-2'].drain();

    const text = await stream.rest;
    expect(text).toContain('"code":"gateway_draining"');
    expect(text).not.toContain('[DONE]');
    const unanswered = await waiting;
    expect(unanswered.status).toBe(503);
    expect(unanswered.headers.get('retry-after')).toBe('1');
    expect(((await unanswered.json()) as { error: { code: string } }).error.code).toBe('gateway_draining');
    await drained;
    expect(Date.now() - started).toBeLessThan(DRAIN_BOUND_MS);
    await expectEventually(() => expect(upstream.openConnections()).toBe(0), 10_000);
  }, 60_000);
});
