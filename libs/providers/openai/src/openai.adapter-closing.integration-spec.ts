// OpenAiAdapter streaming over real HTTP from a raw node:http provider that sends `[DONE]` and
// then keeps its body open (a proxy that never finishes the chunked body, or that keeps writing
// keep-alive comments): the answer ends at `[DONE]`, not at the idle limit, and the provider's
// connection is let go; a body that ends right behind `[DONE]` keeps its connection for the next request.
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { AdapterRequest, AdapterStreamEvent, ProviderTarget } from '@ai-gateway/proto';
import { UpstreamClient, type AdapterStreamSink } from '@ai-gateway/provider-http';
import { expectEventually } from '@ai-gateway/testing';
import { OpenAiAdapter } from './openai.adapter';

const CHUNK = (content: string, finish: string | null) =>
  `data: ${JSON.stringify({ id: 'c1', object: 'chat.completion.chunk', created: 1, model: 'gpt-4o', choices: [{ index: 0, delta: { content }, finish_reason: finish }] })}\n\n`;

type Ending = 'ends' | 'stays-open' | 'keeps-pinging' | 'malformed';

class RecordingSink implements AdapterStreamSink {
  readonly events: AdapterStreamEvent[] = [];
  push(event: AdapterStreamEvent): void {
    this.events.push(event);
  }
  whenWritable(): undefined {
    return undefined;
  }
  text(): string {
    return this.events.flatMap((event) => (event.chunk ? [JSON.parse(Buffer.from(event.chunk).toString('utf8')).choices[0].delta.content as string] : [])).join('');
  }
}

describe('OpenAiAdapter when the provider keeps its body open after [DONE]', () => {
  let server: Server;
  let url: string;
  let ending: Ending = 'ends';
  const sockets = new Set<Socket>();
  const openResponses = new Set<ServerResponse>();
  let connections = 0;
  const adapter = new OpenAiAdapter(new UpstreamClient(), () => undefined);

  beforeAll(async () => {
    server = createServer((request, response) => {
      // Answered once the request is read whole: Node closes a connection whose request was not.
      request.resume().on('end', () => answer(response));
    });
    const answer = (response: ServerResponse): void => {
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      if (ending === 'malformed') {
        // A broken event, the body left open: the attempt fails and lets the body go.
        response.write(CHUNK('Hel', null) + 'data: {not json\n\n');
        openResponses.add(response);
        return;
      }
      response.write(CHUNK('Hel', null) + CHUNK('lo', 'stop') + 'data: [DONE]\n\n');
      if (ending === 'ends') return void response.end();
      openResponses.add(response);
      if (ending === 'keeps-pinging') {
        const ping = setInterval(() => response.write(': keep-alive\n\n'), 50);
        response.on('close', () => clearInterval(ping));
      }
    };
    server.on('connection', (socket) => {
      connections++;
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
  });

  afterAll(async () => {
    for (const response of openResponses) response.destroy();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  const request = (): AdapterRequest =>
    ({
      requestId: 'req-1',
      target: { providerId: 'openai', kind: 'openai', baseUrl: url, apiKey: 'sk-proj-closingEventKey0123456789abcdef', model: 'gpt-4o', maxOutputTokens: 16384 } as ProviderTarget,
      body: Buffer.from(JSON.stringify({ model: 'gpt-4o', stream: true, messages: [{ role: 'user', content: 'Hi' }] })),
      includeUsage: false,
      headers: [],
      timeoutMs: 120_000,
      clientModel: 'gpt-4o',
      headersTimeoutMs: 60_000,
      firstTokenTimeoutMs: 60_000,
      // Far beyond the test's own time limit: waiting for it fails the test.
      idleTimeoutMs: 60_000,
    }) as AdapterRequest;

  it.each<Ending>(['stays-open', 'keeps-pinging'])('ends the answer at [DONE] when the body %s, and lets the connection go', async (how) => {
    ending = how;
    const sink = new RecordingSink();
    await adapter.chatStream(request(), sink, { signal: new AbortController().signal });
    expect(sink.text()).toBe('Hello');
    // Not left for the provider to close: the body is read for a moment more, then the connection is closed.
    await expectEventually(() => expect([...openResponses].filter((response) => !response.destroyed && !response.socket?.destroyed)).toHaveLength(0), 5_000);
  });

  it('fails on a malformed event of a body left open and closes that body, with no error left unhandled', async () => {
    ending = 'malformed';
    const failed = await adapter.chatStream(request(), new RecordingSink(), { signal: new AbortController().signal }).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(JSON.stringify(failed)).toMatch(/malformed|not JSON/);
    await expectEventually(() => expect([...openResponses].filter((response) => !response.destroyed && !response.socket?.destroyed)).toHaveLength(0), 5_000);
  });

  it('stops reading a body left open when the client leaves, with no error left unhandled', async () => {
    ending = 'malformed';
    const caller = new AbortController();
    const sink = new RecordingSink();
    const pushed = sink.push.bind(sink);
    sink.push = (event) => {
      pushed(event);
      if (event.chunk) caller.abort();
    };
    const failed = await adapter.chatStream(request(), sink, { signal: caller.signal }).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(failed).toBeDefined();
    await expectEventually(() => expect([...openResponses].filter((response) => !response.destroyed && !response.socket?.destroyed)).toHaveLength(0), 5_000);
  });

  it('keeps the connection for the next request when the body ends right behind [DONE]', async () => {
    ending = 'ends';
    // The pool settles on its connections first (undici opens a second one on the second request here, before as after this change).
    for (let i = 0; i < 2; i++) await adapter.chatStream(request(), new RecordingSink(), { signal: new AbortController().signal });
    await new Promise((resolve) => setTimeout(resolve, 20));
    const before = connections;
    for (let i = 0; i < 5; i++) {
      const sink = new RecordingSink();
      await adapter.chatStream(request(), sink, { signal: new AbortController().signal });
      expect(sink.text()).toBe('Hello');
      // The pool takes the connection back once undici has read the body's end.
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(connections).toBe(before);
  });
});
