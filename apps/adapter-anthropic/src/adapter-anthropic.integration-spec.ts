import { firstValueFrom, lastValueFrom, toArray, type Observable } from 'rxjs';
import type { ChatCompletion, ChatCompletionChunk } from '@ai-gateway/openai-api';
import {
  Fault,
  GATEWAY_V1_PACKAGE_NAME,
  PROTO_FILES,
  PROVIDER_ADAPTER_SERVICE_NAME,
  type AdapterRequest,
  type AdapterStreamEvent,
  type ProviderAdapterServiceClient,
  type ProviderTarget,
} from '@ai-gateway/proto';
import { createGrpcClient, decodeGrpcError, GrpcStatus, type DecodedGrpcError, type RunningService } from '@ai-gateway/service-kit';
import { expectEventually, FAKE_ANTHROPIC_API_KEY, startFakeAnthropic, testServiceCredentials, type FakeAnthropic } from '@ai-gateway/testing';
import { createApp } from './app';

const MODEL = 'claude-3-5-sonnet-20241022';
const TOOLS = ['get_weather', 'get_time'].map((name) => ({
  type: 'function',
  function: { name, parameters: { type: 'object', properties: { city: { type: 'string' }, days: { type: 'integer' } } } },
}));

describe('adapter-anthropic over gRPC against the fake Anthropic API', () => {
  let fake: FakeAnthropic;
  let app: RunningService;
  let client: ProviderAdapterServiceClient;
  let closeClient: () => void;

  const request = (body: object, fields: Partial<AdapterRequest> = {}, target: Partial<ProviderTarget> = {}): AdapterRequest => ({
    requestId: 'req-test',
    target: { providerId: 'anthropic', kind: 'anthropic', baseUrl: fake.url, apiKey: FAKE_ANTHROPIC_API_KEY, model: MODEL, maxOutputTokens: 1234, ...target },
    body: Buffer.from(JSON.stringify({ model: 'claude-sonnet', ...body })),
    clientModel: 'claude-sonnet',
    includeUsage: false,
    headers: [],
    timeoutMs: 10_000,
    ...fields,
  });
  const hello = { messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'hi there' }] };
  const failure = (call: Observable<unknown>): Promise<DecodedGrpcError> =>
    lastValueFrom(call).then(
      () => Promise.reject(new Error('expected the call to fail')),
      (error: unknown) => decodeGrpcError(error),
    );
  const chunksOf = (events: AdapterStreamEvent[]): ChatCompletionChunk[] =>
    events.flatMap((event) => (event.chunk ? [JSON.parse(Buffer.from(event.chunk).toString('utf8')) as ChatCompletionChunk] : []));

  beforeAll(async () => {
    fake = await startFakeAnthropic();
    const service = testServiceCredentials();
    app = await createApp({ GRPC_PORT: '0', METRICS_PORT: '0', BIND_HOST: '127.0.0.1', LOG_LEVEL: 'warn', SERVICE_CALLERS: service.callers });
    const proxy = createGrpcClient({ url: `127.0.0.1:${app.ports.grpc}`, package: GATEWAY_V1_PACKAGE_NAME, protoPath: PROTO_FILES.adapter, credential: service.credentials.router });
    client = proxy.getService<ProviderAdapterServiceClient>(PROVIDER_ADAPTER_SERVICE_NAME);
    closeClient = () => proxy.close();
  });

  afterAll(async () => {
    closeClient();
    await app.close();
    await fake.close();
  });

  it('answers a chat in OpenAI shape and sends Anthropic headers, system and max_tokens', async () => {
    const response = await firstValueFrom(client.chat(request(hello, { headers: [{ name: 'Anthropic-Beta', value: 'beta-1' }] })));
    const completion = JSON.parse(Buffer.from(response.body).toString('utf8')) as ChatCompletion;
    expect(completion).toMatchObject({ object: 'chat.completion', model: MODEL });
    expect(completion.choices[0]).toMatchObject({ index: 0, finish_reason: 'stop', message: { role: 'assistant' } });
    expect(completion.choices[0].message.content).toContain('You said: hi there');
    expect(response.hasUsage).toBe(true);
    expect(response.usage).toMatchObject({
      promptTokens: completion.usage?.prompt_tokens,
      completionTokens: completion.usage?.completion_tokens,
      totalTokens: completion.usage?.total_tokens,
      cachedPromptTokens: 0,
    });
    expect(response.usage?.promptTokens).toBeGreaterThan(0);
    expect(response.responseModel).toBe(MODEL);
    expect(response.headers).toEqual(expect.arrayContaining([{ name: 'x-ratelimit-limit-requests', value: '50' }]));

    const seen = fake.requests[fake.requests.length - 1];
    expect(seen.path).toBe('/v1/messages');
    expect(seen.headers).toMatchObject({ 'x-api-key': FAKE_ANTHROPIC_API_KEY, 'anthropic-version': '2023-06-01', 'anthropic-beta': 'beta-1' });
    expect(seen.body).toMatchObject({ model: MODEL, system: 'Be brief.', max_tokens: 1234 });
    expect(JSON.stringify((seen.body as { messages: unknown }).messages)).toContain('hi there');
    expect(seen.body).not.toHaveProperty('stream');
  });

  it('streams text and ends with a usage chunk when the client asked for usage', async () => {
    fake.setScenario({ kind: 'text', text: 'One two three four five.' }, 1);
    const events = await lastValueFrom(client.chatStream(request({ ...hello, stream: true }, { includeUsage: true })).pipe(toArray()));
    expect(events[0].start?.headers).toEqual(expect.arrayContaining([{ name: 'x-ratelimit-remaining-requests', value: '49' }]));
    expect(events.filter((event) => event.responseModel)).toEqual([{ responseModel: MODEL }]);
    const chunks = chunksOf(events);
    expect(chunks.map((chunk) => chunk.choices[0]?.delta.content ?? '').join('')).toBe('One two three four five.');
    expect(chunks.every((chunk) => chunk.object === 'chat.completion.chunk' && chunk.model === MODEL)).toBe(true);
    const last = chunks[chunks.length - 1];
    expect(last.choices).toEqual([]);
    expect(last.usage?.total_tokens).toBeGreaterThan(0);
    const usageEvent = events.find((event) => event.usage)?.usage;
    expect(usageEvent).toMatchObject({ promptTokens: last.usage?.prompt_tokens, completionTokens: last.usage?.completion_tokens });
    expect(events[events.length - 1].usage).toBeDefined();
    expect(fake.requests[fake.requests.length - 1].body).toMatchObject({ stream: true });
  });

  it('streams two tool calls with distinct indexes and complete arguments', async () => {
    fake.setScenario({ kind: 'tool_use', toolCount: 2 }, 1);
    const body = { messages: [{ role: 'user', content: 'weather and time in Paris?' }], tools: TOOLS, stream: true };
    const chunks = chunksOf(await lastValueFrom(client.chatStream(request(body)).pipe(toArray())));
    const calls = new Map<number, { name: string; args: string }>();
    for (const call of chunks.flatMap((chunk) => chunk.choices[0]?.delta.tool_calls ?? [])) {
      const entry = calls.get(call.index) ?? { name: '', args: '' };
      calls.set(call.index, { name: entry.name + (call.function?.name ?? ''), args: entry.args + (call.function?.arguments ?? '') });
    }
    expect([...calls.keys()]).toEqual([0, 1]);
    expect([...calls.values()].map((call) => call.name)).toEqual(['get_weather', 'get_time']);
    for (const call of calls.values()) expect(JSON.parse(call.args)).toEqual({ city: expect.any(String), days: 1 });
    expect(chunks.find((chunk) => chunk.choices[0]?.finish_reason)?.choices[0].finish_reason).toBe('tool_calls');
  });

  it('refuses n > 1 with INVALID_ARGUMENT naming n, without calling Anthropic', async () => {
    const before = fake.requests.length;
    const error = await failure(client.chat(request({ ...hello, n: 2 })));
    expect(error.code).toBe(GrpcStatus.INVALID_ARGUMENT);
    expect(error.detail).toMatchObject({ param: 'n', openaiErrorType: 'invalid_request_error', upstreamHttpStatus: 0, retryable: false });
    expect(error.message).toMatch(/'n'/);
    expect(fake.requests.length).toBe(before);
  });

  it('maps a 429 to RESOURCE_EXHAUSTED with retry-after and rate-limit headers', async () => {
    fake.setScenario({ kind: 'http_error', status: 429, retryAfterSeconds: 2 }, 1);
    const error = await failure(client.chat(request(hello)));
    expect(error.code).toBe(GrpcStatus.RESOURCE_EXHAUSTED);
    expect(error.detail).toMatchObject({ upstreamHttpStatus: 429, retryable: true, retryAfterMs: 2000, openaiErrorType: 'rate_limit_exceeded' });
    const names = error.detail?.headers.map((header) => header.name);
    expect(names).toEqual(expect.arrayContaining(['x-ratelimit-limit-requests', 'x-ratelimit-remaining-requests', 'x-ratelimit-reset-requests', 'retry-after']));
    expect(error.detail?.headers).toEqual(expect.arrayContaining([{ name: 'x-ratelimit-remaining-requests', value: '0' }]));
  });

  it('maps a 529 to a retryable UNAVAILABLE, for streams too', async () => {
    fake.setScenario({ kind: 'http_error', status: 529 }, 2);
    for (const call of [client.chat(request(hello)), client.chatStream(request({ ...hello, stream: true }))]) {
      const error = await failure(call);
      expect(error.code).toBe(GrpcStatus.UNAVAILABLE);
      expect(error.detail).toMatchObject({ upstreamHttpStatus: 529, retryable: true, openaiErrorType: 'server_error', openaiErrorCode: 'overloaded' });
    }
  });

  it('maps a rejected API key to UNAUTHENTICATED', async () => {
    const error = await failure(client.chat(request(hello, {}, { apiKey: 'sk-ant-wrong-key-123456' })));
    expect(error.code).toBe(GrpcStatus.UNAUTHENTICATED);
    expect(error.detail).toMatchObject({ upstreamHttpStatus: 401, retryable: false });
    expect(error.message).not.toContain('sk-ant-wrong');
  });

  it('ends a stream with the mapped error when Anthropic sends an error event', async () => {
    fake.setScenario({ kind: 'stream_error_event', errorType: 'overloaded_error', message: 'Overloaded', afterEvents: 3 }, 1);
    const events: AdapterStreamEvent[] = [];
    const error = await new Promise<DecodedGrpcError>((resolve, reject) => {
      client.chatStream(request({ ...hello, stream: true })).subscribe({
        next: (event) => events.push(event),
        error: (e: unknown) => resolve(decodeGrpcError(e)),
        complete: () => reject(new Error('expected the stream to fail')),
      });
    });
    expect(events[0].start).toBeDefined();
    expect(chunksOf(events).length).toBeGreaterThan(0);
    expect(error.code).toBe(GrpcStatus.UNAVAILABLE);
    expect(error.message).toBe('Overloaded');
    expect(error.detail).toMatchObject({ upstreamHttpStatus: 529, retryable: true, openaiErrorType: 'server_error', fault: Fault.FAULT_PROVIDER_HTTP });
  });

  it('answers embeddings with UNIMPLEMENTED', async () => {
    const error = await failure(client.embeddings(request({ input: 'hello' })));
    expect(error.code).toBe(GrpcStatus.UNIMPLEMENTED);
    expect(error.message).toMatch(/embeddings/);
    expect(error.detail?.openaiErrorType).toBe('invalid_request_error');
  });

  it('closes the upstream connection when the client cancels a stream', async () => {
    // The next event is far off, so only aborting the upstream request can close the socket in time.
    const slow = await startFakeAnthropic({ eventDelayMs: 3_000 });
    try {
      const firstChunk = new Promise<void>((resolve) => {
        const subscription = client.chatStream(request({ ...hello, stream: true }, {}, { baseUrl: slow.url })).subscribe({
          next: (event) => {
            if (!event.chunk) return;
            subscription.unsubscribe();
            resolve();
          },
        });
      });
      await firstChunk;
      await expectEventually(() => expect(slow.openConnections()).toBe(0), 1_500);
      expect(slow.requests).toHaveLength(1);
    } finally {
      await slow.close();
    }
  });
});
