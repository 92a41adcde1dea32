import { randomBytes } from 'node:crypto';
import type { ChatCompletion, ChatCompletionChunk } from '@ai-gateway/openai-api';
import { Fault, type AdapterRequest, type ProviderSettings, type AdapterStreamEvent, type ProviderTarget } from '@ai-gateway/proto';
import { UpstreamClient, type AdapterStreamSink } from '@ai-gateway/provider-http';
import { decodeGrpcError, GrpcStatus, type DecodedGrpcError } from '@ai-gateway/service-kit';
import {
  expectEventually,
  FAKE_BEDROCK_API_KEY,
  FAKE_BEDROCK_CREDENTIALS,
  fakeEmbedding,
  startFakeBedrock,
  type FakeBedrock,
  type FakeBedrockOptions,
} from '@ai-gateway/testing';
import { BedrockAdapter } from './bedrock.adapter';

const MODEL = 'anthropic.claude-3-5-sonnet-20241022-v2:0';
const PROFILE_ARN = 'arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.anthropic.claude-3-5-haiku-20241022-v1:0';
const PNG = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==';
const WEATHER = { type: 'function', function: { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } } };
const TIME = { type: 'function', function: { name: 'get_time', parameters: { type: 'object', properties: {} } } };
const SLICE = 16;
const hello = { model: 'claude-3-5-sonnet', messages: [{ role: 'user', content: 'Hi there' }] };

type Json = Record<string, unknown>;

const settingsOf = (region: string): ProviderSettings => ({ headers: {}, project: '', location: '', region, apiVersion: '', deployments: {} });

/** A sink that records what the adapter pushes, optionally holding the reader back (backpressure). */
class RecordingSink implements AdapterStreamSink {
  readonly events: AdapterStreamEvent[] = [];
  hold: Promise<void> | undefined;
  push(event: AdapterStreamEvent): void {
    this.events.push(event);
  }
  whenWritable(): Promise<void> | undefined {
    return this.hold;
  }
  get chunks(): ChatCompletionChunk[] {
    return this.events.flatMap((event) => (event.chunk ? [JSON.parse(Buffer.from(event.chunk).toString('utf8')) as ChatCompletionChunk] : []));
  }
  get content(): string {
    return this.chunks.map((chunk) => chunk.choices[0]?.delta.content ?? '').join('');
  }
}

function leakedSlice(text: string, secret: string): string | undefined {
  for (let i = 0; i + SLICE <= text.length; i++) {
    if (secret.includes(text.slice(i, i + SLICE))) return text.slice(i, i + SLICE);
  }
  return undefined;
}

function errorText(error: DecodedGrpcError): string {
  const detail = error.detail;
  return [error.message, detail?.provider, detail?.openaiErrorType, detail?.openaiErrorCode, detail?.param, ...(detail?.headers ?? []).map((h) => `${h.name}:${h.value}`)].join('\n');
}

describe('BedrockAdapter against the fake Bedrock Runtime', () => {
  let fake: FakeBedrock;
  let running: FakeBedrock | undefined;
  let adapter: BedrockAdapter;
  /** What the adapter logged as unexpected, for the leak scan. */
  const logs: string[] = [];

  const start = async (options: FakeBedrockOptions = {}): Promise<void> => {
    await running?.close();
    fake = running = await startFakeBedrock(options);
  };
  const target = (overrides: Partial<ProviderTarget> = {}): ProviderTarget => ({
    providerId: 'bedrock',
    kind: 'bedrock',
    baseUrl: fake.url,
    apiKey: JSON.stringify(FAKE_BEDROCK_CREDENTIALS),
    model: MODEL,
    maxOutputTokens: 8192,
    settings: settingsOf(fake.region),
    ...overrides,
  });
  const request = (body: object, fields: Partial<AdapterRequest> = {}, targetFields: Parameters<typeof target>[0] = {}): AdapterRequest => ({
    requestId: 'req-test',
    target: target(targetFields),
    body: Buffer.from(JSON.stringify(body)),
    includeUsage: false,
    headers: [],
    timeoutMs: 10_000,
    clientModel: 'claude-3-5-sonnet',
    ...fields,
  });
  const call = (signal: AbortSignal = new AbortController().signal) => ({ signal });
  const chat = async (body: object, fields: Partial<AdapterRequest> = {}, targetFields: Parameters<typeof target>[0] = {}): Promise<ChatCompletion> =>
    JSON.parse(Buffer.from((await adapter.chat(request(body, fields, targetFields), call())).body).toString('utf8')) as ChatCompletion;
  const stream = async (body: object, fields: Partial<AdapterRequest> = {}, targetFields: Parameters<typeof target>[0] = {}): Promise<RecordingSink> => {
    const sink = new RecordingSink();
    await adapter.chatStream(request({ ...body, stream: true }, fields, targetFields), sink, call());
    return sink;
  };
  const failure = async (action: Promise<unknown>): Promise<DecodedGrpcError> => {
    const error = await action.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeDefined();
    return decodeGrpcError(error);
  };

  beforeEach(async () => {
    await start();
    adapter = new BedrockAdapter(new UpstreamClient(), (message, detail) => logs.push(`${message}: ${JSON.stringify(detail)}`));
  });
  afterEach(async () => {
    await adapter.close();
    await running?.close();
    running = undefined;
  });

  describe('answers', () => {
    it('a text chat, signed with SigV4 and the session token, as an OpenAI completion with usage', async () => {
      const response = await adapter.chat(request(hello), call());
      const completion = JSON.parse(Buffer.from(response.body).toString('utf8')) as ChatCompletion;
      expect(completion).toMatchObject({ object: 'chat.completion', model: MODEL, choices: [{ message: { role: 'assistant', content: 'Hello from the fake Bedrock model.' }, finish_reason: 'stop' }] });
      expect(completion.id).toMatch(/^chatcmpl-[0-9a-f-]{36}$/);
      expect(response.usage).toEqual({ promptTokens: 18, completionTokens: 10, totalTokens: 28, cachedPromptTokens: 3, reasoningTokens: 0 });
      expect(fake.requests[0]).toMatchObject({ modelId: MODEL, operation: 'converse', auth: 'sigv4', body: { messages: [{ role: 'user', content: [{ text: 'Hi there' }] }] } });
    });

    it('with a Bedrock API key as a bearer token, to an inference-profile ARN', async () => {
      const completion = await chat(hello, {}, { apiKey: FAKE_BEDROCK_API_KEY, model: PROFILE_ARN });
      expect(completion.model).toBe(PROFILE_ARN);
      expect(fake.requests[0]).toMatchObject({ modelId: PROFILE_ARN, auth: 'bearer' });
    });

    it('a stream with usage: role, text deltas, finish reason, the usage chunk and the usage event', async () => {
      const sink = await stream(hello, { includeUsage: true });
      expect(sink.events[0]).toEqual({ start: { headers: [] } });
      expect(sink.content).toBe('Hello from the fake Bedrock model.');
      expect(sink.chunks[0].choices[0].delta).toEqual({ role: 'assistant', content: '' });
      expect(sink.chunks.at(-2)?.choices[0].finish_reason).toBe('stop');
      expect(sink.chunks.at(-1)).toMatchObject({ choices: [], usage: { prompt_tokens: 18, completion_tokens: 10, total_tokens: 28, prompt_tokens_details: { cached_tokens: 3 } } });
      expect(sink.events.filter((event) => event.responseModel)).toEqual([{ responseModel: MODEL }]);
      expect(sink.events.at(-1)).toEqual({ usage: { promptTokens: 18, completionTokens: 10, totalTokens: 28, cachedPromptTokens: 3, reasoningTokens: 0 } });
      expect(fake.requests[0]).toMatchObject({ operation: 'converse-stream', auth: 'sigv4' });
    });

    it('streamed multi-tool calls, assembled exactly from ids, names and partial JSON arguments', async () => {
      fake.setScenario({ kind: 'tool_use', toolCount: 2 }, 1);
      const sink = await stream({ ...hello, tools: [WEATHER, TIME] });
      const calls: Array<{ id: string; name: string; arguments: string }> = [];
      for (const chunk of sink.chunks) {
        for (const delta of chunk.choices[0]?.delta.tool_calls ?? []) {
          calls[delta.index] ??= { id: '', name: '', arguments: '' };
          calls[delta.index].id += delta.id ?? '';
          calls[delta.index].name += delta.function?.name ?? '';
          calls[delta.index].arguments += delta.function?.arguments ?? '';
        }
      }
      expect(calls).toEqual([
        { id: expect.stringMatching(/^tooluse_/), name: 'get_weather', arguments: '{"city":"Paris","unit":"celsius"}' },
        { id: expect.stringMatching(/^tooluse_/), name: 'get_time', arguments: '{"city":"Berlin","unit":"celsius"}' },
      ]);
      expect(sink.chunks.at(-1)?.choices[0].finish_reason).toBe('tool_calls');
      expect(fake.requests[0].body).toMatchObject({ toolConfig: { tools: [{ toolSpec: { name: 'get_weather' } }, { toolSpec: { name: 'get_time' } }] } });
    });

    it('tool results in the follow-up turn, which Bedrock validates against the toolConfig', async () => {
      const first = await chat({ ...hello, tools: [WEATHER] });
      const [toolCall] = first.choices[0].message.tool_calls ?? [];
      expect(toolCall).toBeDefined();
      const second = await chat({
        ...hello,
        tools: [WEATHER],
        messages: [...hello.messages, first.choices[0].message, { role: 'tool', tool_call_id: toolCall.id, content: '{"sky":"clear"}' }],
      });
      expect(second.choices[0]).toMatchObject({ message: { content: 'The tool says it is sunny.' }, finish_reason: 'stop' });
      expect((fake.requests[1].body as Json).messages).toEqual([
        { role: 'user', content: [{ text: 'Hi there' }] },
        { role: 'assistant', content: [{ text: 'Let me look that up.' }, { toolUse: { toolUseId: toolCall.id, name: 'get_weather', input: { city: 'Paris', unit: 'celsius' } } }] },
        { role: 'user', content: [{ toolResult: { toolUseId: toolCall.id, content: [{ text: '{"sky":"clear"}' }], status: 'success' } }] },
      ]);
    });

    it('an image given as a data: URL, sent as bytes', async () => {
      const completion = await chat({ ...hello, messages: [{ role: 'user', content: [{ type: 'text', text: 'What is it?' }, { type: 'image_url', image_url: { url: `data:image/png;base64,${PNG}` } }] }] });
      expect(completion.choices[0].message.content).toBe('I see 1 image.');
      expect((fake.requests[0].body as Json).messages).toEqual([{ role: 'user', content: [{ text: 'What is it?' }, { image: { format: 'png', source: { bytes: PNG } } }] }]);
    });

    it('embeddings of a Titan model (one call per text, base64 as the openai SDK asks) and of a Cohere model', async () => {
      const titan = await adapter.embeddings(request({ model: 'titan', input: ['hello', 'world'], encoding_format: 'base64' }, {}, { model: 'amazon.titan-embed-text-v2:0' }), call());
      const body = JSON.parse(Buffer.from(titan.body).toString('utf8')) as { data: Array<{ index: number; embedding: string }>; usage: Json };
      const decode = (text: string): number[] => {
        const bytes = Buffer.from(text, 'base64');
        return Array.from({ length: bytes.length / 4 }, (_, i) => bytes.readFloatLE(i * 4));
      };
      expect(body.data.map((item) => decode(item.embedding))).toEqual(['hello', 'world'].map((text) => fakeEmbedding(text).map((x) => Math.fround(x))));
      expect(titan.usage).toMatchObject({ promptTokens: 4, totalTokens: 4 });
      expect(fake.requests.map((r) => [r.operation, r.body])).toEqual([
        ['invoke', { inputText: 'hello' }],
        ['invoke', { inputText: 'world' }],
      ]);
      const cohere = await adapter.embeddings(request({ model: 'cohere', input: ['a', 'b', 'c'] }, {}, { model: 'cohere.embed-english-v3' }), call());
      expect((JSON.parse(Buffer.from(cohere.body).toString('utf8')) as { data: unknown[] }).data).toHaveLength(3);
    });
  });

  describe('fails', () => {
    it('an exception frame before the first chunk: a retryable 429 before the stream started', async () => {
      fake.setScenario({ kind: 'stream_exception', exceptionType: 'throttlingException', afterEvents: 0 }, 1);
      const sink = new RecordingSink();
      const error = await failure(adapter.chatStream(request({ ...hello, stream: true }), sink, call()));
      expect(sink.events).toEqual([]);
      expect(error).toMatchObject({ code: GrpcStatus.RESOURCE_EXHAUSTED, detail: { upstreamHttpStatus: 429, retryable: true, fault: Fault.FAULT_PROVIDER_HTTP, openaiErrorType: 'rate_limit_exceeded' } });
    });

    it('an exception frame after the first content: the stream ends with the provider error after the content', async () => {
      fake.setScenario({ kind: 'stream_exception', exceptionType: 'modelStreamErrorException', message: 'The model stopped.', afterEvents: 3 }, 1);
      const sink = new RecordingSink();
      const error = await failure(adapter.chatStream(request({ ...hello, stream: true }), sink, call()));
      expect(sink.content.length).toBeGreaterThan(0);
      expect(error).toMatchObject({ message: 'The model stopped.', detail: { upstreamHttpStatus: 502, openaiErrorCode: 'model_stream_error', fault: Fault.FAULT_PROVIDER_HTTP } });
    });

    it.each<[string, number, string | undefined, GrpcStatus, object]>([
      ['throttling as 429 with its type', 429, 'ThrottlingException', GrpcStatus.RESOURCE_EXHAUSTED, { upstreamHttpStatus: 429, retryable: true, openaiErrorType: 'rate_limit_exceeded' }],
      ['a validation error as the client’s 400', 400, 'ValidationException', GrpcStatus.INVALID_ARGUMENT, { upstreamHttpStatus: 400, retryable: false }],
      ['a model error (424) as a provider failure', 424, 'ModelErrorException', GrpcStatus.UNAVAILABLE, { upstreamHttpStatus: 502, retryable: true }],
    ])('an HTTP error: %s', async (_name, status, errorType, code, detail) => {
      fake.setScenario({ kind: 'http_error', status, errorType }, 2);
      expect(await failure(adapter.chat(request(hello), call()))).toMatchObject({ code, detail: { ...detail, fault: Fault.FAULT_PROVIDER_HTTP } });
      expect(await failure(adapter.chatStream(request({ ...hello, stream: true }), new RecordingSink(), call()))).toMatchObject({ code, detail });
    });

    it('a signature Bedrock does not accept (wrong secret) as an authentication failure of the key', async () => {
      const wrong = JSON.stringify({ ...FAKE_BEDROCK_CREDENTIALS, secretAccessKey: 'not-the-secret-access-key-0000000000000' });
      const error = await failure(adapter.chat(request(hello, {}, { apiKey: wrong }), call()));
      expect(error).toMatchObject({ code: GrpcStatus.PERMISSION_DENIED, detail: { upstreamHttpStatus: 403, openaiErrorType: 'authentication_error' } });
      expect(fake.requests[0].auth).toBe('InvalidSignatureException');
    });

    it.each<[string, Parameters<typeof target>[0], RegExp]>([
      ['no region for a non-AWS endpoint', { settings: settingsOf('') }, /no region/],
      ['a key that is broken JSON', { apiKey: '{"accessKeyId":"AKIA"' }, /not valid JSON/],
    ])('a provider that cannot be called (%s), before any request', async (_name, overrides, message) => {
      const error = await failure(adapter.chat(request(hello, {}, overrides), call()));
      expect(error).toMatchObject({ code: GrpcStatus.UNAUTHENTICATED, message: expect.stringMatching(message), detail: { openaiErrorCode: 'provider_misconfigured' } });
      expect(fake.requests).toHaveLength(0);
    });

    it('a request Converse cannot take (an https image) as the client’s 400, before any request', async () => {
      const body = { ...hello, messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'https://example.com/cat.png' } }] }] };
      const error = await failure(adapter.chatStream(request({ ...body, stream: true }), new RecordingSink(), call()));
      expect(error).toMatchObject({ code: GrpcStatus.INVALID_ARGUMENT, detail: { fault: Fault.FAULT_CLIENT_REQUEST, param: 'messages[0].content[0].image_url.url' } });
      expect(fake.requests).toHaveLength(0);
    });

    it.each<[string, string]>([
      ['not JSON', '{"output":{"message":{"content":[{"te'],
      ['not a Converse response', '{"hello":"world"}'],
      ['tool input nested too deep to re-serialise', `{"output":{"message":{"role":"assistant","content":[{"toolUse":{"toolUseId":"t","name":"f","input":${'['.repeat(200_000)}${']'.repeat(200_000)}}}]}},"stopReason":"tool_use"}`],
    ])('an answer that is %s as a malformed answer', async (_name, body) => {
      fake.setScenario({ kind: 'raw', body }, 1);
      expect(await failure(adapter.chat(request(hello), call()))).toMatchObject({ code: GrpcStatus.UNAVAILABLE, detail: { fault: Fault.FAULT_PROVIDER_MALFORMED, retryable: true } });
    });

    it('a stream of unreadable frames as a malformed answer', async () => {
      fake.setScenario({ kind: 'raw', body: Buffer.from('<html>503 Service Unavailable</html>') }, 1);
      const error = await failure(adapter.chatStream(request({ ...hello, stream: true }), new RecordingSink(), call()));
      expect(error).toMatchObject({ detail: { fault: Fault.FAULT_PROVIDER_MALFORMED, retryable: true } });
    });

    it('a stream cut by Bedrock after content as a cut stream', async () => {
      fake.setScenario({ kind: 'stream_cut', afterEvents: 2 }, 1);
      const error = await failure(adapter.chatStream(request({ ...hello, stream: true }), new RecordingSink(), call()));
      expect(error).toMatchObject({ detail: { fault: Fault.FAULT_PROVIDER_STREAM_CUT, retryable: true } });
    });
  });

  it('stops the upstream stream when the caller cancels', async () => {
    fake.setScenario({ kind: 'stream_stall', afterEvents: 2 }, 1);
    const controller = new AbortController();
    const sink = new RecordingSink();
    const streaming = adapter.chatStream(request({ ...hello, stream: true }), sink, call(controller.signal));
    await expectEventually(() => expect(sink.chunks.length).toBeGreaterThan(0));
    expect(fake.openConnections()).toBe(1);
    controller.abort();
    expect(await failure(streaming)).toMatchObject({ code: GrpcStatus.CANCELLED, detail: { fault: Fault.FAULT_CLIENT_CANCELLED } });
    await expectEventually(() => expect(fake.openConnections()).toBe(0));
  });

  it('reads no further from Bedrock while the consumer holds the stream back (backpressure)', async () => {
    await start({ frameDelayMs: 1 });
    const sink = new RecordingSink();
    let release!: () => void;
    sink.hold = new Promise<void>((resolve) => (release = resolve));
    const streaming = adapter.chatStream(request({ ...hello, stream: true }), sink, call());
    await expectEventually(() => expect(fake.streamsWritten()).toBe(1));
    // Bedrock has written the whole answer; held back, the adapter has not read it all.
    expect(sink.content).not.toBe('Hello from the fake Bedrock model.');
    sink.hold = undefined;
    release();
    await streaming;
    expect(sink.content).toBe('Hello from the fake Bedrock model.');
  });

  describe('never shows the access key id, the secret access key or the session token, whole or as any 16-character slice', () => {
    const credentials = {
      accessKeyId: `AKIA${randomBytes(8).toString('hex').toUpperCase()}`,
      secretAccessKey: randomBytes(30).toString('base64'),
      sessionToken: `IQoJb3JpZ2luX2Vj${randomBytes(180).toString('base64')}`,
    };
    // The whole stored key: the access key id is no secret to AWS, but it is part of the key.
    const secrets = [credentials.accessKeyId, credentials.secretAccessKey, credentials.sessionToken];
    const echoes = (secret: string): string => `denied for ${secret} (head ${secret.slice(0, 40)}, tail ${secret.slice(-24)})`;
    const expectNoLeak = (error: DecodedGrpcError): void => {
      for (const secret of secrets) {
        expect(leakedSlice(errorText(error), secret)).toBeUndefined();
        expect(leakedSlice(logs.join('\n'), secret)).toBeUndefined();
      }
    };

    beforeEach(async () => {
      await start({ credentials: [credentials] });
    });

    it('in an HTTP error that echoes them', async () => {
      fake.setScenario({ kind: 'echo_secret', status: 403, errorType: 'AccessDeniedException', message: echoes }, 1);
      const error = await failure(adapter.chat(request(hello, {}, { apiKey: JSON.stringify(credentials) }), call()));
      expect(error.message).toContain('denied for');
      expectNoLeak(error);
    });

    it('in an exception frame that echoes them, before and after content', async () => {
      for (const afterEvents of [0, 3]) {
        fake.setScenario({ kind: 'stream_exception', exceptionType: 'validationException', message: echoes, afterEvents }, 1);
        const error = await failure(adapter.chatStream(request({ ...hello, stream: true }, {}, { apiKey: JSON.stringify(credentials) }), new RecordingSink(), call()));
        expect(error.message).toContain('denied for');
        expectNoLeak(error);
      }
    });

    it('in a refusal of a key that is not usable', async () => {
      const broken = JSON.stringify({ accessKeyId: credentials.accessKeyId, secretAccessKey: credentials.secretAccessKey, sessionToken: 5 });
      expectNoLeak(await failure(adapter.chat(request(hello, {}, { apiKey: broken }), call())));
    });
  });
});
