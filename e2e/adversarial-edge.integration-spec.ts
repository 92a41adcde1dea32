// The ingress edge under a hostile client holding one ordinary gateway key (and under none):
// every bad input gets a bounded, OpenAI-shaped answer, nothing it sends can make the gateway
// hold unbounded bytes or hurt requests sharing the process, and nobody can bill around the meter.
import { connect } from 'node:net';
import { gzipSync } from 'node:zlib';
import OpenAI from 'openai';
import { expectEventually, startFakeOpenAi, startGatewayStack, type FakeOpenAi, type GatewayStack } from '@ai-gateway/testing';

const PROVIDER_KEY = 'sk-proj-adversarialKey0123456789abcdefABCDEF';
const MAX_BODY_BYTES = 128 * 1024;
const MAX_INFLIGHT_BODY_BYTES = 3 * MAX_BODY_BYTES;
const BODY_READ_TIMEOUT_MS = 1_500;

interface RawAnswer {
  status: number;
  headers: string;
  body: string;
  /** The server closed the connection after answering. */
  closed: boolean;
}

/** Sends raw bytes on a fresh TCP connection and reads the first answer (and whether the socket closed). */
function rawRequest(url: string, chunks: Array<string | Buffer>, opts: { keepOpen?: boolean; waitMs?: number } = {}): Promise<RawAnswer> {
  const { port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), '127.0.0.1');
    let received = '';
    let closed = false;
    const finish = (): void => {
      clearTimeout(timer);
      const [head, ...rest] = received.split('\r\n\r\n');
      const status = Number(head.split(' ')[1] ?? 0);
      socket.destroy();
      resolve({ status, headers: head.toLowerCase(), body: rest.join('\r\n\r\n'), closed });
    };
    const timer = setTimeout(finish, opts.waitMs ?? 5_000);
    socket.on('data', (data) => (received += data.toString('utf8')));
    socket.on('end', () => {
      closed = true;
      finish();
    });
    socket.on('error', (error) => (received ? finish() : reject(error)));
    socket.on('connect', () => {
      for (const chunk of chunks) socket.write(chunk);
      if (!opts.keepOpen) return;
    });
  });
}

function jsonOf(answer: RawAnswer): { error: { message: string; type: string; code: string | null; param: string | null } } {
  const body = answer.body.includes('\r\n') && /^[0-9a-f]+\r\n/.test(answer.body) ? answer.body.split('\r\n')[1] : answer.body;
  return JSON.parse(body) as { error: { message: string; type: string; code: string | null; param: string | null } };
}

describe('adversarial edge', () => {
  let upstream: FakeOpenAi;
  let stack: GatewayStack;
  let gatewayKey: string;
  let url: string;
  const seenTexts: string[] = [];

  const post = async (path: string, body: string | Buffer, headers: Record<string, string> = {}): Promise<{ status: number; headers: Headers; json: { error?: { message: string; type: string; code: string | null; param: string | null } } & Record<string, unknown> }> => {
    const response = await fetch(`${url}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${gatewayKey}`, 'content-type': 'application/json', ...headers },
      body,
    });
    const text = await response.text();
    seenTexts.push(text);
    return { status: response.status, headers: response.headers, json: JSON.parse(text) as never };
  };
  const chat = (body: unknown, headers?: Record<string, string>) => post('/v1/chat/completions', JSON.stringify(body), headers);
  const requestsTotal = async (): Promise<number> => {
    const metrics = await (await fetch(stack.metricsUrl('analytics'))).text();
    return metrics
      .split('\n')
      .filter((line) => line.startsWith('gen_ai_gateway_requests_total{'))
      .reduce((sum, line) => sum + Number(line.split(' ').pop()), 0);
  };

  beforeAll(async () => {
    upstream = await startFakeOpenAi({ validKeys: [PROVIDER_KEY], chunkDelayMs: 20 });
    stack = await startGatewayStack({
      openaiBaseUrl: upstream.baseUrl,
      env: {
        MAX_BODY_BYTES: String(MAX_BODY_BYTES),
        MAX_INFLIGHT_BODY_BYTES: String(MAX_INFLIGHT_BODY_BYTES),
        BODY_READ_TIMEOUT_MS: String(BODY_READ_TIMEOUT_MS),
      },
    });
    url = stack.ingressUrls[0];
    const created = await stack.admin('POST', '/admin/v1/api-keys', { name: 'attacker' });
    gatewayKey = (created.body as { key: string }).key;
    expect((await stack.admin('POST', '/admin/v1/provider-keys', { provider: 'openai', key: PROVIDER_KEY })).status).toBe(201);
  });

  afterAll(async () => {
    await stack?.close();
    await upstream?.close();
  });

  describe('one request cannot stall or break the others', () => {
    it('refuses a 72,000-character model name with a 400 naming the limit while streams on the shared router connection go on', async () => {
      const client = new OpenAI({ apiKey: gatewayKey, baseURL: `${url}/v1`, maxRetries: 0 });
      const bystanders = Array.from({ length: 4 }, async () => {
        const stream = await client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }], stream: true });
        let text = '';
        for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? '';
        return text;
      });
      const hostile = await Promise.all(Array.from({ length: 5 }, () => chat({ model: 'x'.repeat(72_000), messages: [{ role: 'user', content: 'hi' }] })));
      for (const answer of hostile) {
        expect(answer.status).toBe(400);
        expect(answer.json.error).toMatchObject({ code: 'limit_exceeded', param: 'model' });
        expect(answer.json.error?.message.length).toBeLessThan(200);
      }
      await expect(Promise.all(bystanders)).resolves.toEqual(Array(4).fill('Hello from the fake provider.'));
    });

    it('refuses 60,000 nested arrays as the client’s 400, never reaching the provider nor its circuit', async () => {
      const before = upstream.requests.length;
      // 60,000 levels: as deep as the body limit of this stack allows (the default 32 MiB allows millions).
      const deep = `{"model":"openai/gpt-4o","messages":[{"role":"user","content":"hi"}],"metadata":${'['.repeat(60_000)}${']'.repeat(60_000)}}`;
      for (let i = 0; i < 4; i++) {
        const answer = await post('/v1/chat/completions', deep);
        expect(answer.status).toBe(400);
        expect(answer.json.error).toMatchObject({ type: 'invalid_request_error', code: 'limit_exceeded' });
      }
      expect(upstream.requests.length).toBe(before);
      const ok = await chat({ model: 'openai/gpt-4o', messages: [{ role: 'user', content: 'hi' }] });
      expect(ok.status).toBe(200);
      expect(ok.headers.get('x-gateway-attempts')).toBe('1');
    });

    it.each([
      ['over 4,096 messages', { messages: Array.from({ length: 4_097 }, () => ({ role: 'user', content: 'x' })) }, 'messages'],
      ['over 128 tools', { tools: Array.from({ length: 129 }, (_, i) => ({ type: 'function', function: { name: `f${i}` } })) }, 'tools'],
    ])('refuses %s with a 400 naming the limit', async (_name, extra, param) => {
      const answer = await chat({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }], ...extra });
      expect(answer.status).toBe(400);
      expect(answer.json.error).toMatchObject({ code: 'limit_exceeded', param });
    });
  });

  describe('the input battery', () => {
    it.each([
      ['malformed JSON', '{"model":"gpt-4o",', 'invalid_json'],
      ['an empty body', '', 'invalid_json'],
      ['a JSON array', '[1,2]', null],
      ['a NUL byte inside a string', '{"model":"gpt-4o","messages":[{"role":"user","content":"a\u0000b"}]}', 'invalid_json'],
      ['messages as an object', '{"model":"gpt-4o","messages":{"role":"user"}}', null],
      ['content as a number', '{"model":"gpt-4o","messages":[{"role":"user","content":42}]}', null],
      ['content parts that are strings', '{"model":"gpt-4o","messages":[{"role":"user","content":["a"]}]}', null],
      ['tool_calls as an object', '{"model":"gpt-4o","messages":[{"role":"assistant","tool_calls":{}}]}', null],
      ['tools as a string', '{"model":"gpt-4o","messages":[{"role":"user","content":"a"}],"tools":"all"}', null],
      ['model as a number', '{"model":4,"messages":[{"role":"user","content":"a"}]}', null],
      ['stream as a string', '{"model":"gpt-4o","messages":[{"role":"user","content":"a"}],"stream":"yes"}', null],
      ['include_usage as a string', '{"model":"gpt-4o","messages":[{"role":"user","content":"a"}],"stream":true,"stream_options":{"include_usage":"no"}}', null],
    ])('answers %s with an OpenAI-shaped 400', async (_name, body, code) => {
      const answer = await post('/v1/chat/completions', body);
      expect(answer.status).toBe(400);
      expect(Object.keys(answer.json.error ?? {}).sort()).toEqual(['code', 'message', 'param', 'type']);
      expect(answer.json.error?.type).toBe('invalid_request_error');
      if (code) expect(answer.json.error?.code).toBe(code);
      expect(answer.json.error?.message).not.toMatch(/is not a function|call stack|undefined|TypeError/);
    });

    it('answers invalid UTF-8 with a 400', async () => {
      const answer = await post('/v1/chat/completions', Buffer.concat([Buffer.from('{"model":"gpt-4o","messages":[{"role":"user","content":"'), Buffer.from([0xc3, 0x28]), Buffer.from('"}]}')]));
      expect(answer.status).toBe(400);
      expect(answer.json.error?.message).toContain('UTF-8');
    });

    it('refuses a compressed body with a 415 naming Content-Encoding, before reading it, and never reaches the provider', async () => {
      const before = upstream.chatRequests();
      const compressed = gzipSync(JSON.stringify({ model: 'gpt-4o', messages: [{ role: 'user', content: 'x'.repeat(100_000) }] }));
      const answer = await post('/v1/chat/completions', compressed, { 'content-encoding': 'gzip' });
      expect(answer.status).toBe(415);
      expect(answer.json.error).toMatchObject({ type: 'invalid_request_error', code: 'unsupported_content_encoding' });
      expect(answer.json.error?.message).toContain('Content-Encoding');
      expect(answer.headers.get('connection')).toBe('close');
      expect(upstream.chatRequests()).toBe(before);
      // identity is no encoding at all.
      expect((await post('/v1/chat/completions', JSON.stringify({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] }), { 'content-encoding': 'identity' })).status).toBe(200);
    });

    it('answers a malformed URL, an unknown method and an unknown path in OpenAI’s shape', async () => {
      const badUrl = await rawRequest(url, [`GET /v1/%zz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`]);
      expect(badUrl.status).toBe(400);
      expect(jsonOf(badUrl).error.type).toBe('invalid_request_error');
      const method = await rawRequest(url, [`PATCH /v1/chat/completions HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`]);
      expect(method.status).toBe(404);
      expect(jsonOf(method).error.code).toBe('unknown_url');
      const odd = await rawRequest(url, [`FOO /v1/models HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`]);
      expect(odd.status).toBeGreaterThanOrEqual(400);
      expect(odd.status).toBeLessThan(500);
      expect(jsonOf(odd).error).toBeDefined();
    });

    it('answers oversized headers with an OpenAI-shaped 431 and closes', async () => {
      const answer = await rawRequest(url, [`GET /v1/models HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`]);
      expect(answer.status).toBe(431);
      expect(jsonOf(answer).error.code).toBe('headers_too_large');
      expect(answer.closed).toBe(true);
    });

    it('refuses a request smuggling both Content-Length and Transfer-Encoding', async () => {
      const answer = await rawRequest(url, [
        `POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${gatewayKey}\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /admin/v1/api-keys HTTP/1.1\r\nHost: x\r\n\r\n`,
      ]);
      expect(answer.status).toBe(400);
      expect(answer.body).not.toContain('"key"');
      expect(answer.closed).toBe(true);
    });

    it.each(['/dashboard/../../../../etc/passwd', '/dashboard/%2e%2e/%2e%2e/etc/passwd', '/dashboard/..%2f..%2fpackage.json', '/dashboard/%00index.html'])(
      'serves no file outside the dashboard for %s',
      async (path) => {
        const answer = await rawRequest(url, [`GET ${path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`]);
        expect(answer.status).toBeGreaterThanOrEqual(400);
        expect(answer.body).not.toMatch(/root:|"name": "ai-gateway"/);
      },
    );
  });

  describe('metering cannot be dodged', () => {
    it('counts 20 requests that reuse one x-request-id as 20, and echoes the id for correlation', async () => {
      const before = await requestsTotal();
      const answers = await Promise.all(
        Array.from({ length: 20 }, () => chat({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] }, { 'x-request-id': 'same-id-for-everyone' })),
      );
      const gatewayIds = new Set(answers.map((a) => a.headers.get('x-gateway-request-id')));
      expect(answers.every((a) => a.status === 200 && a.headers.get('x-request-id') === 'same-id-for-everyone')).toBe(true);
      expect(gatewayIds.size).toBe(20);
      await expectEventually(async () => expect(await requestsTotal()).toBe(before + 20), 15_000);
    });

    it('refuses a body that spells stream_options twice to switch the gateway’s usage request off', async () => {
      const body = '{"model":"gpt-4o","messages":[{"role":"user","content":"hi"}],"stream":true,"stream_options":{"include_usage":true},"stream\\u005foptions":{"include_usage":false}}';
      const answer = await post('/v1/chat/completions', body);
      expect(answer.status).toBe(400);
      expect(answer.json.error).toMatchObject({ code: 'duplicate_key' });
    });
  });

  describe('bounded resources', () => {
    it('answers an unauthenticated request before reading its body, and closes the connection', async () => {
      const answer = await rawRequest(url, [`POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{"model":`], {
        keepOpen: true,
      });
      expect(answer.status).toBe(401);
      expect(answer.closed).toBe(true);
    });

    it('gives up on a body that never finishes with a 408 within the read timeout', async () => {
      const answer = await rawRequest(
        url,
        [`POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${gatewayKey}\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"model":`],
        { keepOpen: true, waitMs: BODY_READ_TIMEOUT_MS * 4 },
      );
      expect(answer.status).toBe(408);
      expect(jsonOf(answer).error.code).toBe('body_timeout');
      expect(answer.closed).toBe(true);
    });

    it('refuses new bodies with 503 + Retry-After while the in-flight byte budget is held, and serves again after', async () => {
      const declared = MAX_BODY_BYTES - 1024;
      const head = `POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${gatewayKey}\r\nContent-Type: application/json\r\nContent-Length: ${declared}\r\n\r\n{"model":`;
      // Three slow bodies take the whole budget (each declared near the body limit) and then stall.
      const holders = Array.from({ length: 3 }, () => rawRequest(url, [head], { keepOpen: true, waitMs: BODY_READ_TIMEOUT_MS * 4 }));
      await new Promise((resolve) => setTimeout(resolve, 200));
      const refused = await post('/v1/chat/completions', JSON.stringify({ model: 'gpt-4o', messages: [{ role: 'user', content: 'x'.repeat(16 * 1024) }] }));
      expect(refused.status).toBe(503);
      expect(refused.headers.get('retry-after')).toBe('1');
      expect(refused.json.error?.code).toBe('gateway_overloaded');
      const timedOut = await Promise.all(holders);
      expect(timedOut.map((h) => h.status)).toEqual([408, 408, 408]);
      const served = await chat({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] });
      expect(served.status).toBe(200);
    });
  });

  describe('smaller items', () => {
    it('lists models with x-request-id, only those a key may use, and lets a pinned allowed model through', async () => {
      const created = await stack.admin('POST', '/admin/v1/api-keys', { name: 'mini-only', allowedModels: ['gpt-4o-mini'] });
      const miniKey = (created.body as { key: string }).key;
      const listed = await fetch(`${url}/v1/models`, { headers: { authorization: `Bearer ${miniKey}` } });
      expect(listed.headers.get('x-request-id')).toMatch(/^req_/);
      const ids = ((await listed.json()) as { data: Array<{ id: string }> }).data.map((m) => m.id);
      expect(ids).toEqual(['gpt-4o-mini']);
      const pinned = await fetch(`${url}/v1/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${miniKey}`, 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] }),
      });
      expect(pinned.status).toBe(200);
      const other = await fetch(`${url}/v1/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${miniKey}`, 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'openai/gpt-4o', messages: [{ role: 'user', content: 'hi' }] }),
      });
      expect(other.status).toBe(403);
    });

    it('refuses a provider key for a provider that does not exist', async () => {
      const answer = await stack.admin('POST', '/admin/v1/provider-keys', { provider: 'nobody', key: 'sk-whatever-0123456789abcdef' });
      expect(answer.status).toBe(404);
      expect(answer.body).toMatchObject({ error: { code: 'provider_not_found', param: 'provider' } });
    });

    it('rate-limits and audits failed admin sign-ins', async () => {
      const attempt = () => fetch(`${url}/admin/v1/providers`, { headers: { authorization: 'Bearer wrong-token-guess-0000' } });
      const statuses: number[] = [];
      for (let i = 0; i < 12; i++) statuses.push((await attempt()).status);
      expect(statuses.slice(0, 10)).toEqual(Array(10).fill(401));
      expect(statuses.slice(10)).toEqual([429, 429]);
      const locked = await fetch(`${url}/admin/v1/providers`, { headers: { authorization: `Bearer ${stack.adminToken}` } });
      expect(locked.status).toBe(429);
      expect(Number(locked.headers.get('retry-after'))).toBeGreaterThan(0);
      await expectEventually(async () => expect(stack.logText()).toContain('admin.sign_in_failed'), 5_000);
      expect(stack.logText()).not.toContain('wrong-token-guess-0000');
    });
  });

  it('records exactly one usage event for a request that fails because the router is gone', async () => {
    const unavailable = async (): Promise<number> => {
      const metrics = await (await fetch(stack.metricsUrl('analytics'))).text();
      return metrics
        .split('\n')
        .filter((line) => line.startsWith('gen_ai_gateway_requests_total{') && line.includes('error_type="gateway_unavailable"'))
        .reduce((sum, line) => sum + Number(line.split(' ').pop()), 0);
    };
    const before = await unavailable();
    await stack.stopApp('router-0');
    const answers = await Promise.all([
      chat({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] }),
      chat({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }], stream: true }),
    ]);
    expect(answers.map((a) => [a.status, a.json.error?.code])).toEqual([
      [503, 'gateway_unavailable'],
      [503, 'gateway_unavailable'],
    ]);
    await expectEventually(async () => expect(await unavailable()).toBe(before + 2), 15_000);
  });

  it('never shows the provider key, whole or as a 16-character slice, in any answer or log', () => {
    const texts = [...seenTexts, stack.logText()].join('\n');
    for (let i = 0; i + 16 <= PROVIDER_KEY.length; i++) expect(texts).not.toContain(PROVIDER_KEY.slice(i, i + 16));
  });
});
