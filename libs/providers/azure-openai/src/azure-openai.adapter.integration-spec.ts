import { GrpcStatus, decodeGrpcError } from '@ai-gateway/service-kit';
import type { AdapterRequest, AdapterStreamEvent, ProviderTarget } from '@ai-gateway/proto';
import { UpstreamClient, type AdapterStreamSink } from '@ai-gateway/provider-http';
import { expectEventually, FAKE_AZURE_API_KEY, startFakeAzureOpenAi, startFakeEntra, type FakeAzureOpenAi, type FakeEntra } from '@ai-gateway/testing';
import { AzureOpenAiAdapter } from './azure-openai.adapter';

// The adapter class over real HTTP against the fake Azure OpenAI resource and Entra token endpoint.

const CLIENT = { tenantId: 'contoso.onmicrosoft.com', clientId: '00001111-aaaa-2222-bbbb-3333cccc4444', clientSecret: 'Qx8Q~fakeSecretValue0123456789abcdefghij' };
const ENTRA_KEY = JSON.stringify(CLIENT);
const SLICE = 16;
const WEATHER = { type: 'function', function: { name: 'get_weather', parameters: { type: 'object', properties: { location: { type: 'string' } } } } };

interface Settings {
  apiVersion?: string;
  headers?: Record<string, string>;
}

/** The first SECRET-slice of `secret` found in `text`, if any. */
function leakedSlice(text: string, secret: string): string | undefined {
  for (let i = 0; i + SLICE <= secret.length; i++) if (text.includes(secret.slice(i, i + SLICE))) return secret.slice(i, i + SLICE);
  return undefined;
}

/** Everything an error carries that can reach a log, a client or a metric. */
function errorText(error: unknown): string {
  const decoded = decodeGrpcError(error);
  return JSON.stringify({ decoded, message: (error as { message?: string }).message, details: (error as { details?: string }).details });
}

class RecordingSink implements AdapterStreamSink {
  readonly events: AdapterStreamEvent[] = [];
  push(event: AdapterStreamEvent): void {
    this.events.push(event);
  }
  whenWritable(): Promise<void> | undefined {
    return undefined;
  }
  chunks(): Array<{ choices: Array<{ delta: { content?: string; tool_calls?: unknown[] }; finish_reason: string | null }>; usage?: unknown }> {
    return this.events.flatMap((event) => (event.chunk ? [JSON.parse(Buffer.from(event.chunk).toString('utf8'))] : []));
  }
  text(): string {
    return this.chunks()
      .map((chunk) => chunk.choices[0]?.delta.content ?? '')
      .join('');
  }
}

describe('AzureOpenAiAdapter against the fake Azure OpenAI resource', () => {
  let entra: FakeEntra;
  let fake: FakeAzureOpenAi;
  let adapter: AzureOpenAiAdapter;
  const call = () => ({ signal: new AbortController().signal });

  const request = (body: object, options: { key?: string; model?: string; settings?: Settings; baseUrl?: string; includeUsage?: boolean } = {}): AdapterRequest => {
    const target = {
      providerId: 'azure',
      kind: 'azure-openai',
      baseUrl: options.baseUrl ?? fake.url,
      apiKey: options.key ?? FAKE_AZURE_API_KEY,
      // The router's catalog sends a mapped model as its deployment.
      model: options.model ?? 'prod-gpt4o',
      maxOutputTokens: 16384,
      settings: { headers: {}, project: '', location: '', region: '', apiVersion: '', deployments: {}, ...options.settings },
    } as ProviderTarget;
    return {
      requestId: 'req-1',
      target,
      body: Buffer.from(JSON.stringify(body)),
      includeUsage: options.includeUsage ?? false,
      headers: [],
      timeoutMs: 10_000,
      clientModel: (body as { model?: string }).model ?? 'gpt-4o',
    } as AdapterRequest;
  };
  const chat = (extra: object = {}) => ({ model: 'gpt-4o', messages: [{ role: 'user', content: 'Hi' }], ...extra });
  const rejection = async (promise: Promise<unknown>) => {
    const error = await promise.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeDefined();
    return { error, decoded: decodeGrpcError(error) };
  };

  beforeAll(async () => {
    entra = await startFakeEntra({ clients: [CLIENT] });
    fake = await startFakeAzureOpenAi({ isValidToken: (token) => entra.isValidToken(token) });
    adapter = new AzureOpenAiAdapter({ upstream: new UpstreamClient(), logUnexpected: () => undefined, authorityHost: entra.url });
  });
  afterAll(async () => {
    await adapter.close();
    await fake.close();
    await entra.close();
  });

  it('serves the azure-openai kind', () => {
    expect(adapter.kinds).toEqual(['azure-openai']);
  });

  it('answers a chat from the mapped deployment with the default api-version and the api-key', async () => {
    const response = await adapter.chat(request(chat()), call());
    const body = JSON.parse(Buffer.from(response.body).toString('utf8'));
    expect(body.choices[0].message.content).toBe('Hello from Azure.');
    expect(response).toMatchObject({ responseModel: 'gpt-4o-2024-08-06', hasUsage: true, usage: { completionTokens: 4 } });
    expect(response.headers).toContainEqual({ name: 'x-ratelimit-remaining-requests', value: '99' });
    const sent = fake.requests[fake.requests.length - 1];
    expect(sent).toMatchObject({ path: '/openai/deployments/prod-gpt4o/chat/completions', apiVersion: '2024-10-21' });
    expect(sent.headers['api-key']).toBe(FAKE_AZURE_API_KEY);
    expect(sent.headers.authorization).toBeUndefined();
  });

  it('streams text without the annotation chunks, with usage asked on the client\'s behalf and kept from it', async () => {
    const sink = new RecordingSink();
    await adapter.chatStream(request(chat({ stream: true })), sink, call());
    expect(sink.events[0].start).toBeDefined();
    expect(sink.text()).toBe('Hello from Azure.');
    for (const chunk of sink.chunks()) expect(chunk.choices.length).toBeGreaterThan(0);
    expect(sink.events.find((event) => event.usage)?.usage).toMatchObject({ completionTokens: 4 });
    expect(sink.events.find((event) => event.responseModel)?.responseModel).toBe('gpt-4o-2024-08-06');
    expect(fake.requests[fake.requests.length - 1].body?.stream_options).toEqual({ include_usage: true });
  });

  it('keeps the usage chunk for a client that asked for it', async () => {
    const sink = new RecordingSink();
    await adapter.chatStream(request(chat({ stream: true, stream_options: { include_usage: true } }), { includeUsage: true }), sink, call());
    expect(sink.chunks().some((chunk) => chunk.usage)).toBe(true);
  });

  it('streams a tool call', async () => {
    const sink = new RecordingSink();
    await adapter.chatStream(request(chat({ stream: true, tools: [WEATHER] })), sink, call());
    const chunks = sink.chunks();
    expect(chunks.some((chunk) => (chunk.choices[0]?.delta.tool_calls?.length ?? 0) > 0)).toBe(true);
    expect(chunks.some((chunk) => chunk.choices[0]?.finish_reason === 'tool_calls')).toBe(true);
  });

  it('reshapes an asynchronous-filter stream so every chunk has a delta', async () => {
    fake.enqueue({ kind: 'async_filter' });
    const sink = new RecordingSink();
    await adapter.chatStream(request(chat({ stream: true })), sink, call());
    expect(sink.text()).toBe('Hello from Azure.');
    for (const chunk of sink.chunks()) for (const choice of chunk.choices) expect(choice.delta).toBeDefined();
  });

  it('answers embeddings from the embedding deployment, on the dated and the v1 surface', async () => {
    const dated = await adapter.embeddings(request({ model: 'text-embedding-3-small', input: ['a', 'b'] }, { model: 'embed3' }), call());
    expect(JSON.parse(Buffer.from(dated.body).toString('utf8')).data).toHaveLength(2);
    expect(dated.usage?.promptTokens).toBeGreaterThan(0);
    expect(fake.requests[fake.requests.length - 1].path).toBe('/openai/deployments/embed3/embeddings');
    const v1 = await adapter.embeddings(
      request({ model: 'text-embedding-3-small', input: 'a' }, { model: 'embed3', settings: { apiVersion: 'v1' } }),
      call(),
    );
    expect(v1.responseModel).toBe('text-embedding-3-small');
    expect(fake.requests[fake.requests.length - 1]).toMatchObject({ path: '/openai/v1/embeddings', apiVersion: null, body: { model: 'embed3' } });
  });

  it('calls the v1 surface with the deployment as the model and no api-version', async () => {
    const response = await adapter.chat(request(chat(), { settings: { apiVersion: 'v1' } }), call());
    expect(response.responseModel).toBe('gpt-4o-2024-08-06');
    expect(fake.requests[fake.requests.length - 1]).toMatchObject({ path: '/openai/v1/chat/completions', apiVersion: null, body: { model: 'prod-gpt4o' } });
  });

  it('returns a filtered prompt to the client as 400 content_filter, never retried', async () => {
    fake.enqueue({ kind: 'content_filter_prompt' });
    const { decoded } = await rejection(adapter.chat(request(chat()), call()));
    expect(decoded.code).toBe(GrpcStatus.INVALID_ARGUMENT);
    expect(decoded.detail).toMatchObject({ upstreamHttpStatus: 400, openaiErrorCode: 'content_filter', retryable: false, param: 'prompt' });
  });

  it('relays a finish_reason content_filter, unary and streamed', async () => {
    fake.enqueue({ kind: 'content_filter_output' }, { kind: 'content_filter_output' });
    const response = await adapter.chat(request(chat()), call());
    expect(JSON.parse(Buffer.from(response.body).toString('utf8')).choices[0].finish_reason).toBe('content_filter');
    const sink = new RecordingSink();
    await adapter.chatStream(request(chat({ stream: true })), sink, call());
    const last = sink.chunks().filter((chunk) => !chunk.usage).pop();
    expect(last?.choices[0]).toMatchObject({ finish_reason: 'content_filter', delta: {} });
  });

  it('names the missing deployment in a 404-class error', async () => {
    const { decoded } = await rejection(adapter.chat(request(chat(), { model: 'gone-deployment' }), call()));
    expect(decoded.code).toBe(GrpcStatus.NOT_FOUND);
    expect(decoded.message).toContain('"gone-deployment" (for model gpt-4o)');
    expect(decoded.detail).toMatchObject({ upstreamHttpStatus: 404, openaiErrorCode: 'deployment_not_found', retryable: false });
  });

  it('refuses a pinned model that cannot be a deployment name before any request', async () => {
    const before = fake.requests.length;
    const { decoded } = await rejection(adapter.chat(request(chat(), { model: '../../admin' }), call()));
    expect(decoded.code).toBe(GrpcStatus.INVALID_ARGUMENT);
    expect(fake.requests.length).toBe(before);
  });

  it('honours retry-after-ms on a rate limit and passes the headers on', async () => {
    fake.enqueue({ kind: 'rate_limit', retryAfterMs: 1500 });
    const { decoded } = await rejection(adapter.chat(request(chat()), call()));
    expect(decoded.code).toBe(GrpcStatus.RESOURCE_EXHAUSTED);
    expect(decoded.detail).toMatchObject({ upstreamHttpStatus: 429, retryAfterMs: 1500, retryable: true });
    expect(decoded.detail?.headers).toContainEqual({ name: 'retry-after-ms', value: '1500' });
  });

  it('reports an error event inside a 200 stream after content as the provider error', async () => {
    fake.enqueue({ kind: 'stream_error_event', afterChunks: 3 });
    const sink = new RecordingSink();
    const { decoded } = await rejection(adapter.chatStream(request(chat({ stream: true })), sink, call()));
    expect(sink.text()).toBe('Hello');
    expect(decoded.detail).toMatchObject({ upstreamHttpStatus: 500, retryable: true });
    expect(decoded.message).toMatch(/server had an error/);
  });

  it('reports a content-filter error event inside a stream as the client\'s 400', async () => {
    fake.enqueue({ kind: 'stream_error_event', afterChunks: 2, code: 'content_filter', type: null, message: 'The response was filtered' });
    const { decoded } = await rejection(adapter.chatStream(request(chat({ stream: true })), new RecordingSink(), call()));
    expect(decoded.detail).toMatchObject({ upstreamHttpStatus: 400, openaiErrorCode: 'content_filter', retryable: false });
  });

  it('reports a stream cut mid-answer', async () => {
    fake.enqueue({ kind: 'cut_after_chunks', afterChunks: 3 });
    const { decoded } = await rejection(adapter.chatStream(request(chat({ stream: true })), new RecordingSink(), call()));
    expect(decoded.detail?.openaiErrorCode).toBe('stream_cut');
  });

  it('ends a stream whose first token does not come within the first-token limit, and closes the upstream request', async () => {
    fake.enqueue({ kind: 'slow_first_token', delayMs: 30_000 });
    const slow = { ...request(chat({ stream: true })), firstTokenTimeoutMs: 200 } as AdapterRequest;
    const sink = new RecordingSink();
    const { decoded } = await rejection(adapter.chatStream(slow, sink, call()));
    expect(decoded.code).toBe(GrpcStatus.DEADLINE_EXCEEDED);
    expect(decoded.detail).toMatchObject({ openaiErrorCode: 'first_token_timeout', retryable: true });
    expect(sink.events[0].start).toBeDefined();
    await expectEventually(() => expect(fake.openResponses()).toBe(0));
  });

  it('stops the upstream request when the caller goes away', async () => {
    fake.enqueue({ kind: 'hang' });
    const controller = new AbortController();
    const pending = adapter.chat(request(chat()), { signal: controller.signal });
    await expectEventually(() => expect(fake.openResponses()).toBe(1));
    controller.abort();
    const { decoded } = await rejection(pending);
    expect(decoded.code).toBe(GrpcStatus.CANCELLED);
    await expectEventually(() => expect(fake.openResponses()).toBe(0));
  });

  describe('with Entra ID client credentials', () => {
    it('fetches a token once, sends it as the bearer credential and reuses it', async () => {
      const before = entra.requests.length;
      await adapter.chat(request(chat(), { key: ENTRA_KEY }), call());
      const sink = new RecordingSink();
      await adapter.chatStream(request(chat({ stream: true }), { key: ENTRA_KEY }), sink, call());
      expect(sink.text()).toBe('Hello from Azure.');
      expect(entra.requests.length - before).toBe(1);
      const sent = fake.requests[fake.requests.length - 1];
      expect(sent.headers.authorization).toMatch(/^Bearer eyJ/);
      expect(sent.headers['api-key']).toBeUndefined();
      expect(entra.requests[entra.requests.length - 1]).toMatchObject({ tenant: CLIENT.tenantId, form: { client_id: CLIENT.clientId, scope: 'https://cognitiveservices.azure.com/.default' } });
    });

    it('fetches a new token after Azure refused the cached one', async () => {
      await adapter.chat(request(chat(), { key: ENTRA_KEY }), call());
      entra.revokeAll();
      const { decoded } = await rejection(adapter.chat(request(chat(), { key: ENTRA_KEY }), call()));
      expect(decoded.code).toBe(GrpcStatus.UNAUTHENTICATED);
      const before = entra.requests.length;
      await adapter.chat(request(chat(), { key: ENTRA_KEY }), call());
      expect(entra.requests.length - before).toBe(1);
    });

    it('reports a refused client secret as the provider key failing, naming the AADSTS code and never the secret', async () => {
      const wrong = { ...CLIENT, clientSecret: 'Wr0ng~SecretValue9876543210zyxwvutsrqpo' };
      const { error, decoded } = await rejection(adapter.chat(request(chat(), { key: JSON.stringify(wrong) }), call()));
      expect(decoded.code).toBe(GrpcStatus.UNAUTHENTICATED);
      expect(decoded.detail).toMatchObject({ upstreamHttpStatus: 401, openaiErrorCode: 'entra_token_refused', retryable: false });
      expect(decoded.message).toContain('AADSTS7000215');
      expect(leakedSlice(errorText(error), wrong.clientSecret)).toBeUndefined();
    });

    it('reports an unavailable token endpoint as retryable', async () => {
      entra.failNext(1);
      const other = { ...CLIENT, clientId: 'unknown-client-for-this-test' };
      const { decoded } = await rejection(adapter.chat(request(chat(), { key: JSON.stringify(other) }), call()));
      expect(decoded.detail).toMatchObject({ openaiErrorCode: 'entra_token_unavailable', retryable: true });
    });

    it('reports a provider key that is broken JSON as the key failing', async () => {
      const { decoded } = await rejection(adapter.chat(request(chat(), { key: '{"tenantId":"t",' }), call()));
      expect(decoded.code).toBe(GrpcStatus.UNAUTHENTICATED);
      expect(decoded.detail?.openaiErrorCode).toBe('invalid_provider_key');
    });
  });

  describe('leak scan', () => {
    const API_KEY = 'azk0LeakCheck9f8e7d6c5b4a3928171615141312';
    let leaky: FakeAzureOpenAi;
    beforeAll(async () => {
      leaky = await startFakeAzureOpenAi({ apiKeys: [API_KEY], isValidToken: (token) => entra.isValidToken(token) });
    });
    afterAll(async () => {
      await leaky.close();
    });

    it.each([401, 403, 429, 500])('never shows the api-key a provider echoes in a %i', async (status) => {
      leaky.enqueue({ kind: 'echo_key', status });
      const { error } = await rejection(adapter.chat(request(chat(), { key: API_KEY, baseUrl: leaky.url }), call()));
      expect(leakedSlice(errorText(error), API_KEY)).toBeUndefined();
    });

    it('never shows the client secret, the key JSON or the bearer token a provider echoes', async () => {
      await adapter.chat(request(chat(), { key: ENTRA_KEY, baseUrl: leaky.url }), call());
      const token = (leaky.requests[leaky.requests.length - 1].headers.authorization ?? '').slice('Bearer '.length);
      expect(token).toMatch(/^eyJ/);
      leaky.enqueue({ kind: 'echo_key', status: 401 });
      const { error } = await rejection(adapter.chat(request(chat(), { key: ENTRA_KEY, baseUrl: leaky.url }), call()));
      const text = errorText(error);
      expect(text).toMatch(/redacted/);
      for (const secret of [token, CLIENT.clientSecret, ENTRA_KEY]) expect(leakedSlice(text, secret)).toBeUndefined();
    });

    it('never shows the api-key echoed in an error event inside a stream', async () => {
      leaky.enqueue({ kind: 'stream_error_event', afterChunks: 2, message: `bad credential ${API_KEY}` });
      const { error } = await rejection(adapter.chatStream(request(chat({ stream: true }), { key: API_KEY, baseUrl: leaky.url }), new RecordingSink(), call()));
      expect(errorText(error)).toMatch(/redacted/);
      expect(leakedSlice(errorText(error), API_KEY)).toBeUndefined();
    });
  });
});
