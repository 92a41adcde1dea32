// GeminiAdapter (kinds gemini and vertex) over real HTTP against the fake Gemini API: what it
// sends, what it makes of every answer, and that no credential leaks into anything it returns.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import type { ChatCompletion, ChatCompletionChunk } from '@ai-gateway/openai-api';
import { Fault, type AdapterRequest, type AdapterStreamEvent, type ProviderTarget } from '@ai-gateway/proto';
import { MAX_PROVIDER_ERROR_MESSAGE_BYTES, UpstreamClient } from '@ai-gateway/provider-http';
import { decodeGrpcError, GrpcStatus, type DecodedGrpcError } from '@ai-gateway/service-kit';
import { expectEventually, FAKE_GEMINI_API_KEY, startFakeGemini, type FakeGemini } from '@ai-gateway/testing';
import { GeminiAdapter } from './gemini.adapter';
import { QUOTA_EXHAUSTED_RETRY_AFTER_MS } from './gemini-errors';
import { THOUGHT_SIGNATURE_SEPARATOR } from './gemini-tool-call-id';

const SLICE = 16;
const TOOLS = ['get_weather', 'get_time'].map((name) => ({ type: 'function', function: { name, parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } } }));
const hello = { messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'hi there' }] };
const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const CLIENT_EMAIL = 'gateway@my-project.iam.gserviceaccount.com';

function leakedSlice(text: string, secret: string): string | undefined {
  for (let i = 0; i + SLICE <= text.length; i++) if (secret.includes(text.slice(i, i + SLICE))) return text.slice(i, i + SLICE);
  return undefined;
}

function errorText(error: DecodedGrpcError): string {
  const detail = error.detail;
  return [error.message, detail?.provider, detail?.openaiErrorType, detail?.openaiErrorCode, detail?.param, ...(detail?.headers ?? []).map((h) => `${h.name}:${h.value}`)].join('\n');
}

class CollectingSink {
  readonly events: AdapterStreamEvent[] = [];
  push(event: AdapterStreamEvent): void {
    this.events.push(event);
  }
  whenWritable(): undefined {
    return undefined;
  }
  chunks(): ChatCompletionChunk[] {
    return this.events.flatMap((event) => (event.chunk ? [JSON.parse(Buffer.from(event.chunk).toString('utf8')) as ChatCompletionChunk] : []));
  }
}

describe('GeminiAdapter against the fake Gemini API', () => {
  let fake: FakeGemini;
  let adapter: GeminiAdapter;
  let serviceAccount: string;

  const call = (signal: AbortSignal = new AbortController().signal) => ({ signal });
  const request = (body: object, target: Partial<ProviderTarget> = {}, fields: Partial<AdapterRequest> = {}): AdapterRequest => ({
    requestId: 'req-test',
    target: { providerId: 'gemini', kind: 'gemini', baseUrl: fake.url, apiKey: FAKE_GEMINI_API_KEY, model: 'gemini-2.5-flash', maxOutputTokens: 65_536, ...target },
    body: Buffer.from(JSON.stringify({ model: 'gemini-2.5-flash', ...body })),
    clientModel: 'gemini-2.5-flash',
    includeUsage: false,
    headers: [],
    timeoutMs: 10_000,
    ...fields,
  });
  const vertexTarget = (apiKey = serviceAccount): Partial<ProviderTarget> => ({
    providerId: 'gcp',
    kind: 'vertex',
    apiKey,
    settings: { project: 'my-project', location: 'europe-west4', headers: {}, region: '', apiVersion: '', deployments: {} },
  });
  const completionOf = (body: Uint8Array): ChatCompletion => JSON.parse(Buffer.from(body).toString('utf8')) as ChatCompletion;
  const failure = (promise: Promise<unknown>): Promise<DecodedGrpcError> =>
    promise.then(
      () => Promise.reject(new Error('expected the call to fail')),
      (error: unknown) => decodeGrpcError(error),
    );
  const lastRequest = () => fake.requests[fake.requests.length - 1];

  beforeAll(async () => {
    fake = await startFakeGemini({ vertexAccounts: [{ clientEmail: CLIENT_EMAIL, publicKey }] });
    adapter = new GeminiAdapter(new UpstreamClient(), () => undefined);
    serviceAccount = JSON.stringify({
      type: 'service_account',
      project_id: 'my-project',
      private_key_id: randomBytes(20).toString('hex'),
      private_key: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
      client_email: CLIENT_EMAIL,
      token_uri: fake.tokenUri,
    });
  });
  afterAll(async () => {
    await adapter.close();
    await fake.close();
  });

  it('answers a chat in OpenAI shape, with Gemini headers, path, system instruction and usage', async () => {
    const response = await adapter.chat(request(hello), call());
    const completion = completionOf(response.body);
    expect(completion).toMatchObject({ object: 'chat.completion', model: 'gemini-2.5-flash', choices: [{ finish_reason: 'stop', message: { role: 'assistant' } }] });
    expect(completion.choices[0].message.content).toContain('You said: hi there');
    expect(response).toMatchObject({ hasUsage: true, responseModel: 'gemini-2.5-flash' });
    expect(response.usage?.promptTokens).toBeGreaterThan(0);
    expect(response.usage?.reasoningTokens).toBe(12);
    expect(lastRequest()).toMatchObject({
      path: '/v1beta/models/gemini-2.5-flash:generateContent',
      headers: { 'x-goog-api-key': FAKE_GEMINI_API_KEY },
      body: { systemInstruction: { parts: [{ text: 'Be brief.' }] }, contents: [{ role: 'user', parts: [{ text: 'hi there' }] }] },
    });
  });

  it('streams text over alt=sse, usage chunk last when asked', async () => {
    fake.setScenario({ kind: 'text', text: 'One two three four five.' }, 1);
    const sink = new CollectingSink();
    await adapter.chatStream(request({ ...hello, stream: true }, {}, { includeUsage: true }), sink, call());
    expect(sink.events[0]).toEqual({ start: { headers: [] } });
    const chunks = sink.chunks();
    expect(chunks.map((chunk) => chunk.choices[0]?.delta.content ?? '').join('')).toBe('One two three four five.');
    expect(chunks[chunks.length - 1]).toMatchObject({ choices: [], usage: { total_tokens: expect.any(Number) } });
    expect(sink.events.filter((event) => event.responseModel)).toEqual([{ responseModel: 'gemini-2.5-flash' }]);
    expect(sink.events[sink.events.length - 1].usage?.completionTokens).toBeGreaterThan(0);
    expect(lastRequest().path).toBe('/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse');
  });

  it('streams two tool calls with distinct indexes, ids and names on their one delta', async () => {
    const sink = new CollectingSink();
    await adapter.chatStream(request({ messages: [{ role: 'user', content: 'weather and time?' }], tools: TOOLS, stream: true }), sink, call());
    const calls = sink.chunks().flatMap((chunk) => chunk.choices[0]?.delta.tool_calls ?? []);
    expect(calls.map((c) => [c.index, c.type, c.function?.name, JSON.parse(c.function?.arguments ?? '')])).toEqual([
      [0, 'function', 'get_weather', { city: 'example city' }],
      [1, 'function', 'get_time', { city: 'example city' }],
    ]);
    expect(new Set(calls.map((c) => c.id)).size).toBe(2);
    expect(sink.chunks().find((chunk) => chunk.choices[0]?.finish_reason)?.choices[0].finish_reason).toBe('tool_calls');
  });

  it('declares an MCP tool with a free-form map by parametersJsonSchema, which Gemini calls like any tool', async () => {
    const headers = { type: 'object', additionalProperties: { type: 'string' } };
    const parameters = { type: 'object', properties: { url: { type: 'string' }, headers }, required: ['url', 'headers'], additionalProperties: false };
    const response = await adapter.chat(request({ messages: [{ role: 'user', content: 'fetch it' }], tools: [{ type: 'function', function: { name: 'fetch', parameters } }] }), call());
    const toolCalls = completionOf(response.body).choices[0].message.tool_calls ?? [];
    expect(toolCalls.map((c) => [c.function.name, JSON.parse(c.function.arguments)])).toEqual([['fetch', { url: 'example url', headers: {} }]]);
    expect(lastRequest().body).toMatchObject({ tools: [{ functionDeclarations: [{ name: 'fetch', parametersJsonSchema: parameters }] }] });
  });

  describe('a Gemini 3 tool round trip', () => {
    const model = { model: 'gemini-3-pro-preview' };
    const first = { messages: [{ role: 'user', content: 'weather and time in Paris?' }], tools: TOOLS };
    const secondTurn = (assistant: ChatCompletion['choices'][number]['message']) => ({
      ...first,
      messages: [...first.messages, assistant, ...(assistant.tool_calls ?? []).map((c) => ({ role: 'tool', tool_call_id: c.id, content: `${c.function.name}: 21C` }))],
    });

    it('carries the thought signature back, so Gemini 3 accepts the next turn', async () => {
      const asked = completionOf((await adapter.chat(request(first, model), call())).body);
      const assistant = asked.choices[0].message;
      expect(assistant.tool_calls?.[0].id).toContain(THOUGHT_SIGNATURE_SEPARATOR);
      const answered = completionOf((await adapter.chat(request(secondTurn(assistant), model), call())).body);
      expect(answered.choices[0].message.content).toContain('get_time');
      const replayed = (lastRequest().body as { contents: Array<{ parts: Array<{ thoughtSignature?: string }> }> }).contents[1].parts;
      expect(replayed[0].thoughtSignature).toEqual(expect.any(String));
      expect(replayed[1].thoughtSignature).toBeUndefined();
    });

    it('replays tool calls that never had a signature (another model wrote them) with the placeholder', async () => {
      const asked = completionOf((await adapter.chat(request(first, model), call())).body);
      const foreign = { ...asked.choices[0].message, tool_calls: asked.choices[0].message.tool_calls?.map((c, i) => ({ ...c, id: `call_gpt4o_${i}` })) };
      const answered = completionOf((await adapter.chat(request(secondTurn(foreign), model), call())).body);
      expect(answered.choices[0].finish_reason).toBe('stop');
    });

    it("returns Gemini's refusal of a tampered signature to the client as a 400", async () => {
      const asked = completionOf((await adapter.chat(request(first, model), call())).body);
      const tampered = { ...asked.choices[0].message, tool_calls: asked.choices[0].message.tool_calls?.map((c) => ({ ...c, id: c.id.replace(/.{4}$/, 'AAAA') })) };
      const error = await failure(adapter.chat(request(secondTurn(tampered), model), call()));
      expect(error.code).toBe(GrpcStatus.INVALID_ARGUMENT);
      expect(error.detail).toMatchObject({ upstreamHttpStatus: 400, openaiErrorType: 'invalid_request_error', fault: Fault.FAULT_PROVIDER_HTTP });
      expect(error.message).toContain('thought signature');
    });
  });

  it('sends a data: image inline and an https image as fileData', async () => {
    const content = [
      { type: 'text', text: 'What is in these?' },
      { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgoAAAANSUhEUg==' } },
      { type: 'image_url', image_url: { url: 'https://example.com/cat.webp' } },
    ];
    const completion = completionOf((await adapter.chat(request({ messages: [{ role: 'user', content }] }), call())).body);
    expect(completion.choices[0].message.content).toContain('[image image/png]');
    expect((lastRequest().body as { contents: Array<{ parts: unknown[] }> }).contents[0].parts.slice(1)).toEqual([
      { inlineData: { mimeType: 'image/png', data: 'iVBORw0KGgoAAAANSUhEUg==' } },
      { fileData: { mimeType: 'image/webp', fileUri: 'https://example.com/cat.webp' } },
    ]);
  });

  it('answers embeddings through batchEmbedContents, base64 as the OpenAI SDK asks', async () => {
    const response = await adapter.embeddings(request({ model: 'gemini-embedding-001', input: ['a', 'b'], encoding_format: 'base64' }, { model: 'gemini-embedding-001' }), call());
    const list = JSON.parse(Buffer.from(response.body).toString('utf8')) as { data: Array<{ index: number; embedding: string }> };
    expect(list.data.map((item) => [item.index, Buffer.from(item.embedding, 'base64').length])).toEqual([
      [0, 32],
      [1, 32],
    ]);
    expect(lastRequest().path).toBe('/v1beta/models/gemini-embedding-001:batchEmbedContents');
  });

  describe('errors', () => {
    it('maps a 429 with RetryInfo to RESOURCE_EXHAUSTED carrying the delay', async () => {
      fake.setScenario({ kind: 'http_error', error: 'rate_limit', retryDelaySeconds: 2 }, 1);
      const error = await failure(adapter.chat(request(hello), call()));
      expect(error.code).toBe(GrpcStatus.RESOURCE_EXHAUSTED);
      expect(error.detail).toMatchObject({ upstreamHttpStatus: 429, retryable: true, retryAfterMs: 2000, openaiErrorType: 'rate_limit_exceeded', fault: Fault.FAULT_PROVIDER_HTTP });
    });

    it('maps an exhausted daily quota to insufficient_quota, not retryable, with a wait the router will not take', async () => {
      fake.setScenario({ kind: 'http_error', error: 'daily_quota' }, 1);
      const error = await failure(adapter.chat(request(hello), call()));
      expect(error.detail).toMatchObject({ upstreamHttpStatus: 429, retryable: false, openaiErrorType: 'insufficient_quota', retryAfterMs: QUOTA_EXHAUSTED_RETRY_AFTER_MS });
    });

    it('maps 503 UNAVAILABLE to a retryable UNAVAILABLE, for streams too', async () => {
      fake.setScenario({ kind: 'http_error', error: 'unavailable' }, 2);
      for (const attempt of [adapter.chat(request(hello), call()), adapter.chatStream(request({ ...hello, stream: true }), new CollectingSink(), call())]) {
        const error = await failure(attempt);
        expect(error.code).toBe(GrpcStatus.UNAVAILABLE);
        expect(error.detail).toMatchObject({ upstreamHttpStatus: 503, retryable: true, openaiErrorType: 'server_error' });
      }
    });

    it("reads Gemini's 400 API_KEY_INVALID as the 401 it is", async () => {
      const error = await failure(adapter.chat(request(hello, { apiKey: 'AIzaWrongWrongWrongWrongWrong00000000' }), call()));
      expect(error.code).toBe(GrpcStatus.UNAUTHENTICATED);
      expect(error.detail).toMatchObject({ upstreamHttpStatus: 401, openaiErrorType: 'authentication_error', retryable: false });
    });

    it('ends a stream with the in-band error after the content already relayed', async () => {
      fake.setScenario({ kind: 'stream_error_event', code: 503, afterEvents: 2 }, 1);
      const sink = new CollectingSink();
      const error = await failure(adapter.chatStream(request({ ...hello, stream: true }), sink, call()));
      expect(sink.events[0].start).toBeDefined();
      expect(sink.chunks().length).toBeGreaterThan(1);
      expect(error.code).toBe(GrpcStatus.UNAVAILABLE);
      expect(error.detail).toMatchObject({ upstreamHttpStatus: 503, retryable: true, fault: Fault.FAULT_PROVIDER_HTTP });
    });

    it('names a stream reset mid-answer a cut after N chunks', async () => {
      fake.setScenario({ kind: 'stream_cut', afterEvents: 2 }, 1);
      const sink = new CollectingSink();
      const error = await failure(adapter.chatStream(request({ ...hello, stream: true }), sink, call()));
      expect(error.detail).toMatchObject({ fault: Fault.FAULT_PROVIDER_STREAM_CUT, openaiErrorCode: 'stream_cut' });
      expect(error.message).toContain(`stream cut after ${sink.chunks().length} chunks`);
    });

    it('names a stream that stalls a timeout with its idle gap', async () => {
      fake.setScenario({ kind: 'stream_stall', afterEvents: 2 }, 1);
      const error = await failure(adapter.chatStream(request({ ...hello, stream: true }, {}, { timeoutMs: 300 }), new CollectingSink(), call()));
      expect(error.code).toBe(GrpcStatus.DEADLINE_EXCEEDED);
      expect(error.detail).toMatchObject({ fault: Fault.FAULT_PROVIDER_TIMEOUT, openaiErrorCode: 'idle_timeout' });
    });

    it('cuts a 65,000-character error body to a short message', async () => {
      fake.setScenario({ kind: 'huge_error_body', chars: 65_000 }, 1);
      const error = await failure(adapter.chat(request(hello), call()));
      expect(error.detail).toMatchObject({ fault: Fault.FAULT_PROVIDER_HTTP, upstreamHttpStatus: 500 });
      expect(Buffer.byteLength(error.message)).toBeLessThanOrEqual(MAX_PROVIDER_ERROR_MESSAGE_BYTES);
    });

    it('reads a 200 that is not JSON as one malformed answer', async () => {
      fake.setScenario({ kind: 'invalid_json' }, 1);
      const error = await failure(adapter.chat(request(hello), call()));
      expect(error.detail).toMatchObject({ fault: Fault.FAULT_PROVIDER_MALFORMED, openaiErrorCode: 'bad_upstream_response' });
    });

    it.each<[string, object, string]>([
      ['n > 1', { ...hello, n: 2 }, 'n'],
      ['a schema keyword Gemini cannot express', { ...hello, tools: [{ type: 'function', function: { name: 'f', parameters: { type: 'object', properties: { a: { not: { type: 'string' } } } } } }] }, 'tools[0].function.parameters.properties.a.not'],
      ['an http: image (the gateway fetches nothing)', { messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'http://169.254.169.254/latest/meta-data' } }] }] }, 'messages[0].content[0].image_url.url'],
    ])('refuses %s naming the field, without calling Gemini', async (_case, body, param) => {
      const before = fake.requests.length;
      const error = await failure(adapter.chat(request(body), call()));
      expect(error.code).toBe(GrpcStatus.INVALID_ARGUMENT);
      expect(error.detail).toMatchObject({ fault: Fault.FAULT_CLIENT_REQUEST, param });
      expect(fake.requests.length).toBe(before);
    });
  });

  it('closes the upstream connection when the caller cancels a stream', async () => {
    const slow = await startFakeGemini({ eventDelayMs: 3_000 });
    const controller = new AbortController();
    try {
      const sink = new CollectingSink();
      sink.push = (event) => {
        if (event.chunk) controller.abort();
      };
      const error = await failure(adapter.chatStream(request({ ...hello, stream: true }, { baseUrl: slow.url }), sink, call(controller.signal)));
      expect(error.code).toBe(GrpcStatus.CANCELLED);
      await expectEventually(() => expect(slow.openConnections()).toBe(0), 1_500);
    } finally {
      await slow.close();
    }
  });

  describe('Vertex AI', () => {
    it('mints an access token from the service account once, then calls the regional endpoint path with it', async () => {
      const tokensBefore = fake.issuedTokens.length;
      const completion = completionOf((await adapter.chat(request(hello, vertexTarget()), call())).body);
      expect(completion.choices[0].message.content).toContain('You said: hi there');
      const seen = lastRequest();
      expect(seen.path).toBe('/v1/projects/my-project/locations/europe-west4/publishers/google/models/gemini-2.5-flash:generateContent');
      expect(seen.headers.authorization).toBe(`Bearer ${fake.issuedTokens[fake.issuedTokens.length - 1]}`);
      expect(seen.headers['x-goog-api-key']).toBeUndefined();
      const sink = new CollectingSink();
      await adapter.chatStream(request({ ...hello, stream: true }, vertexTarget()), sink, call());
      expect(sink.chunks().length).toBeGreaterThan(1);
      expect(fake.issuedTokens.length).toBe(tokensBefore + 1);
    });

    it('constrains JSON output by responseJsonSchema (Vertex v1 takes it too) for a schema with oneOf', async () => {
      const schema = { type: 'object', properties: { id: { oneOf: [{ type: 'string' }, { type: 'integer' }] } }, required: ['id'] };
      await adapter.chat(request({ ...hello, response_format: { type: 'json_schema', json_schema: { name: 'r', schema } } }, vertexTarget()), call());
      expect(lastRequest().path).toContain('/v1/projects/my-project/locations/europe-west4/');
      expect(lastRequest().body).toMatchObject({
        generationConfig: { responseMimeType: 'application/json', responseJsonSchema: { type: 'object', properties: { id: { anyOf: [{ type: 'string' }, { type: 'integer' }] } }, required: ['id'] } },
      });
    });

    it('answers embeddings through predict with token counts', async () => {
      const response = await adapter.embeddings(request({ input: ['hello world'] }, { ...vertexTarget(), model: 'text-embedding-005' }), call());
      expect(response.usage?.promptTokens).toBeGreaterThan(0);
      expect(lastRequest().path).toBe('/v1/projects/my-project/locations/europe-west4/publishers/google/models/text-embedding-005:predict');
    });

    it('reads a token endpoint it cannot reach as a connection failure, not as the client leaving', async () => {
      const unreachable = serviceAccount.replace(fake.tokenUri, 'http://127.0.0.1:9/token');
      const error = await failure(adapter.chat(request(hello, vertexTarget(unreachable)), call()));
      expect(error.code).toBe(GrpcStatus.UNAVAILABLE);
      expect(error.detail).toMatchObject({ fault: Fault.FAULT_PROVIDER_CONNECTION, retryable: true });
    });

    it.each<[string, () => string]>([
      ['a key that is no JSON', () => 'not-json-at-all-but-long-enough'],
      ['a key the token endpoint refuses', () => serviceAccount.replace(CLIENT_EMAIL, 'someone-else@my-project.iam.gserviceaccount.com')],
    ])('answers %s as a failing key (401), quoting none of it', async (_case, key) => {
      const secret = key();
      const error = await failure(adapter.chat(request(hello, vertexTarget(secret)), call()));
      expect(error.code).toBe(GrpcStatus.UNAUTHENTICATED);
      expect(error.detail).toMatchObject({ upstreamHttpStatus: 401, openaiErrorType: 'authentication_error', retryable: false });
      expect(leakedSlice(errorText(error), secret)).toBeUndefined();
    });
  });

  describe('leak scan', () => {
    const echo = (key: string): string => `invalid credential ${key} (head ${key.slice(0, 40)}; tail ${key.slice(-24)})`;

    it.each<[string, boolean]>([
      ['in an HTTP error', false],
      ['in an error event mid-stream', true],
    ])('keeps the Gemini API key out of an echo %s', async (_case, stream) => {
      const key = `AIza${randomBytes(26).toString('base64url')}`;
      const keyed = await startFakeGemini({ validApiKeys: [key] });
      try {
        keyed.setScenario(stream ? { kind: 'stream_error_event', afterEvents: 1, message: echo } : { kind: 'echo_key', message: echo }, 1);
        const target = { baseUrl: keyed.url, apiKey: key };
        const error = stream
          ? await failure(adapter.chatStream(request({ ...hello, stream: true }, target), new CollectingSink(), call()))
          : await failure(adapter.chat(request(hello, target), call()));
        expect(error.message).toContain('[redacted]');
        expect(leakedSlice(errorText(error), key)).toBeUndefined();
      } finally {
        await keyed.close();
      }
    });

    it('keeps the service-account JSON, its private key and the access token out of an echo', async () => {
      fake.setScenario({ kind: 'stream_error_event', afterEvents: 1, message: (token) => `${echo(token)} ${echo(serviceAccount)}` }, 1);
      const error = await failure(adapter.chatStream(request({ ...hello, stream: true }, vertexTarget()), new CollectingSink(), call()));
      const text = errorText(error);
      expect(leakedSlice(text, serviceAccount)).toBeUndefined();
      expect(leakedSlice(text, JSON.parse(serviceAccount).private_key as string)).toBeUndefined();
      expect(leakedSlice(text, fake.issuedTokens[fake.issuedTokens.length - 1])).toBeUndefined();
    });
  });
});
