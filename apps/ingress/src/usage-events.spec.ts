// The usage events ingress records itself, against what each client got: one id per request (the
// header, the router call and the event), a client that leaves before its answer, a router that dies
// mid-stream, and the drain's cut. The routes run on Fastify wired as app.ts wires them (the id made
// in the first hook, the body reader, the recorder on the response's close), with a fake router.
import { EventEmitter } from 'node:events';
import { request as httpRequest } from 'node:http';
import Fastify, { type FastifyInstance } from 'fastify';
import type { UsagePublisher } from '@ai-gateway/nats';
import type { CompletionRequest, UsageEvent } from '@ai-gateway/proto';
import { InflightBytesBudget } from '@ai-gateway/service-kit';
import { expectEventually } from '@ai-gateway/testing';
import { BodyReader } from './body.reader';
import { registerCompletionRoutes, type CompletionsDeps, type RouterCalls } from './completions.routes';
import { DrainCuts } from './drain-cuts';
import { answerRouteError } from './framework-errors';
import { sendError } from './http-reply';
import { RejectedRequestRecorder } from './rejected-request.recorder';
import { identifyRequest } from './request-id';

const MAX_BODY_BYTES = 64 * 1024;
/** The recorder's delay for the 499 of a client that left, shortened for the tests. */
const CANCELLED_DELAY_MS = 100;
/** Every effect polled for comes within this (well under jest's 5 s, so a failure shows its assertion). */
const EVENTUALLY_MS = 2_000;

const eventually = <T>(assertion: () => T): Promise<T> => expectEventually(assertion, EVENTUALLY_MS, 5);

type FakeCall = EventEmitter & { cancel(): void; pause(): void; resume(): void };

interface Gateway {
  app: FastifyInstance;
  events: UsageEvent[];
  /** What happened, in order: published events (`event <status> <type>`) and router-side calls and cancels. */
  log: string[];
  routed: CompletionRequest[];
  shutdown: AbortController;
}

/** A fake router call that never answers unless the test makes it. */
function fakeCall(log: string[]): FakeCall {
  const call = new EventEmitter() as FakeCall;
  call.cancel = () => log.push('router call cancelled');
  call.pause = () => undefined;
  call.resume = () => undefined;
  return call;
}

async function gateway(onStream?: (call: FakeCall) => void): Promise<Gateway> {
  const events: UsageEvent[] = [];
  const log: string[] = [];
  const routed: CompletionRequest[] = [];
  const record = (event: UsageEvent): void => {
    events.push(event);
    log.push(`event ${event.httpStatus} ${event.errorType}`);
  };
  const usage = {
    publish: record,
    publishConfirmed: (event: UsageEvent) => Promise.resolve(record(event)).then(() => 'stored' as const),
  } as unknown as UsagePublisher;
  const rejections = new RejectedRequestRecorder(usage, CANCELLED_DELAY_MS);
  const routerCalls: Pick<RouterCalls, 'chatCompletion' | 'streamChatCompletion'> = {
    chatCompletion: (request) => {
      routed.push(request);
      return fakeCall(log) as never;
    },
    streamChatCompletion: (request) => {
      routed.push(request);
      const call = fakeCall(log);
      onStream?.(call);
      return call as never;
    },
  };
  const shutdown = new AbortController();
  const deps = {
    router: {} as never,
    routerCalls: routerCalls as RouterCalls,
    auth: { authenticate: () => ({ id: 'key-1', allowedModels: [] }), lookup: () => undefined, team: () => undefined } as never,
    logger: { warn: () => undefined } as never,
    requestTimeoutMs: 30_000,
    rejections,
    drainCuts: new DrainCuts(shutdown.signal),
    admission: { applies: () => false } as never,
  } satisfies CompletionsDeps;
  const bodies = new BodyReader({ maxBodyBytes: MAX_BODY_BYTES, readTimeoutMs: 5_000, budget: new InflightBytesBudget(16 * MAX_BODY_BYTES) });
  const app = Fastify();
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', (request, _payload, done) => {
    bodies.read(request.raw).then((body) => done(null, body), (error: Error) => done(error));
  });
  app.setErrorHandler((error, _request, reply) => {
    const answer = answerRouteError(error, MAX_BODY_BYTES);
    sendError(reply, answer === 'internal' ? { status: 502, headers: {}, body: { error: { message: 'internal', type: 'api_error', param: null, code: null } } } : answer);
  });
  app.addHook('onRequest', (request, reply, done) => {
    identifyRequest(request, reply);
    const started = Date.now();
    reply.raw.once('close', () => {
      bodies.release(request.raw);
      rejections.onResponse(request.raw, reply.raw, () => 'key-1', started);
    });
    done();
  });
  registerCompletionRoutes(app, deps);
  await app.listen({ port: 0, host: '127.0.0.1' });
  return { app, events, log, routed, shutdown };
}

const chatBody = (extra: Record<string, unknown> = {}): string => JSON.stringify({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hello there' }], ...extra });

function post(gw: Gateway, payload: string, headers: Record<string, string> = {}) {
  return gw.app.inject({
    method: 'POST',
    url: '/v1/chat/completions',
    headers: { authorization: 'Bearer x', 'content-type': 'application/json', ...headers },
    payload,
  });
}

/** Sends a request on a real socket and leaves (destroys it) once `leaveWhen` holds, without reading an answer. */
async function leave(gw: Gateway, body: string, sent: string, leaveWhen: () => boolean): Promise<void> {
  const address = gw.app.server.address() as { port: number };
  const client = httpRequest({
    host: '127.0.0.1',
    port: address.port,
    method: 'POST',
    path: '/v1/chat/completions',
    headers: { authorization: 'Bearer x', 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
  });
  client.on('error', () => undefined);
  client.write(sent);
  await eventually(() => expect(leaveWhen()).toBe(true));
  client.destroy();
}

describe('usage events recorded by ingress', () => {
  let gw: Gateway;
  afterEach(async () => {
    await gw?.app.close();
  });

  describe('one id per request', () => {
    it('a refusal at ingress (400) is recorded under the x-gateway-request-id its client got', async () => {
      gw = await gateway();
      const response = await post(gw, '{not json', { 'x-request-id': 'corr-1' });
      expect(response.statusCode).toBe(400);
      const id = response.headers['x-gateway-request-id'];
      expect(id).toMatch(/^req_[0-9a-f]{32}$/);
      expect(response.headers['x-request-id']).toBe('corr-1');
      await eventually(() => expect(gw.events.map((e) => [e.requestId, e.httpStatus, e.correlationId])).toEqual([[id, 400, 'corr-1']]));
    });

    it('a body refused while read (413) carries x-gateway-request-id, and its event is under it', async () => {
      gw = await gateway();
      const response = await post(gw, chatBody({ pad: 'x'.repeat(MAX_BODY_BYTES) }));
      expect(response.statusCode).toBe(413);
      const id = response.headers['x-gateway-request-id'];
      expect(id).toMatch(/^req_/);
      await eventually(() => expect(gw.events.map((e) => [e.requestId, e.httpStatus, e.errorType])).toEqual([[id, 413, 'request_too_large']]));
    });

    it('the router call carries the id its client got', async () => {
      gw = await gateway((call) => setImmediate(() => call.emit('end')));
      const response = await post(gw, chatBody({ stream: true }));
      expect(response.statusCode).toBe(200);
      expect(gw.routed[0].meta?.requestId).toBe(response.headers['x-gateway-request-id']);
    });
  });

  describe('a client that leaves before its answer', () => {
    it('unary, routed: 499 cancelled under the request id, published only after the delay (the router, reached, stores its own first)', async () => {
      gw = await gateway();
      const body = chatBody();
      await leave(gw, body, body, () => gw.routed.length === 1);
      const id = gw.routed[0].meta?.requestId;
      await eventually(() => expect(gw.log).toContain('router call cancelled'));
      expect(gw.events).toEqual([]);
      const [event] = await eventually(() => {
        expect(gw.events).toHaveLength(1);
        return gw.events;
      });
      expect([event.requestId, event.httpStatus, event.errorType, event.outcome, event.requestedModel, event.apiKeyId]).toEqual([id, 499, 'cancelled', 'cancelled', 'gpt-4o', 'key-1']);
    });

    it('streamed, routed: 499 cancelled under the request id, after the delay', async () => {
      gw = await gateway();
      const body = chatBody({ stream: true });
      await leave(gw, body, body, () => gw.routed.length === 1);
      const id = gw.routed[0].meta?.requestId;
      await eventually(() => expect(gw.events.map((e) => [e.requestId, e.httpStatus, e.errorType, e.stream])).toEqual([[id, 499, 'cancelled', true]]));
    });

    it('during the body read: 499 cancelled, nothing routed', async () => {
      gw = await gateway();
      const body = chatBody({ pad: 'x'.repeat(1_000) });
      let received = false;
      gw.app.server.once('request', (request: NodeJS.ReadableStream) => request.once('data', () => (received = true)));
      await leave(gw, body, body.slice(0, 100), () => received);
      await eventually(() => expect(gw.events.map((e) => [e.httpStatus, e.errorType, e.operation, e.apiKeyId])).toEqual([[499, 'cancelled', 'chat', 'key-1']]));
      expect(gw.events[0].requestId).toMatch(/^req_/);
      expect(gw.routed).toEqual([]);
    });
  });

  it('a router that dies mid-stream after content: 200 stream_interrupted with the content sent, estimated', async () => {
    gw = await gateway((call) =>
      setImmediate(() => {
        call.emit('data', { route: { provider: 'openai', model: 'gpt-4o', attempts: 1, headers: [] } });
        call.emit('data', { chunk: Buffer.from('{"choices":[{"index":0,"delta":{"content":"a long"}}]}') });
        call.emit('data', { chunk: Buffer.from('{"choices":[{"index":0,"delta":{"content":" answer"}}]}') });
        // The router process is killed: grpc-js reports UNAVAILABLE without a GatewayError detail.
        call.emit('error', Object.assign(new Error('14 UNAVAILABLE: Connection dropped'), { code: 14, details: 'Connection dropped', metadata: { get: () => [] } }));
      }),
    );
    const body = chatBody({ stream: true });
    const response = await post(gw, body);
    expect(response.statusCode).toBe(200);
    expect(response.body).toContain('a long');
    const promptTokens = Math.ceil(Buffer.byteLength(body) / 4);
    expect(gw.events.map((e) => [e.requestId, e.httpStatus, e.errorType, e.outcome, e.usageEstimated, e.hasUsage])).toEqual([
      [response.headers['x-gateway-request-id'], 200, 'stream_interrupted', 'error', true, true],
    ]);
    expect(gw.events[0].usage).toEqual({ promptTokens, completionTokens: 2, totalTokens: promptTokens + 2, cachedPromptTokens: 0, reasoningTokens: 0 });
  });

  describe("the drain's cut", () => {
    it('unary: the client gets 503 gateway_draining, and so does its event, stored before the router call is cancelled', async () => {
      gw = await gateway();
      const pending = post(gw, chatBody());
      await eventually(() => expect(gw.routed).toHaveLength(1));
      gw.shutdown.abort();
      const response = await pending;
      expect(response.statusCode).toBe(503);
      expect((JSON.parse(response.body) as { error: { code: string } }).error.code).toBe('gateway_draining');
      await eventually(() => expect(gw.log).toEqual(['event 503 gateway_draining', 'router call cancelled']));
      expect(gw.events[0].requestId).toBe(response.headers['x-gateway-request-id']);
    });

    it('a stream not yet started: 503 gateway_draining, stored before the cancel', async () => {
      gw = await gateway();
      const pending = post(gw, chatBody({ stream: true }));
      await eventually(() => expect(gw.routed).toHaveLength(1));
      gw.shutdown.abort();
      const response = await pending;
      expect(response.statusCode).toBe(503);
      await eventually(() => expect(gw.log).toEqual(['event 503 gateway_draining', 'router call cancelled']));
      expect(gw.events[0].requestId).toBe(response.headers['x-gateway-request-id']);
    });

    it('a started stream: 200 stream_interrupted with the content sent, stored before the cancel', async () => {
      gw = await gateway((call) =>
        setImmediate(() => {
          call.emit('data', { route: { provider: 'openai', model: 'gpt-4o', attempts: 1, headers: [] } });
          call.emit('data', { chunk: Buffer.from('{"choices":[{"index":0,"delta":{"content":"partial"}}]}') });
          gw.shutdown.abort();
        }),
      );
      const response = await post(gw, chatBody({ stream: true }));
      expect(response.statusCode).toBe(200);
      expect(response.body).toContain('gateway_draining');
      await eventually(() => expect(gw.log).toEqual(['event 200 stream_interrupted', 'router call cancelled']));
      expect([gw.events[0].requestId, gw.events[0].usage?.completionTokens, gw.events[0].usageEstimated]).toEqual([response.headers['x-gateway-request-id'], 1, true]);
    });
  });
});
