import { randomBytes } from 'node:crypto';
import { firstValueFrom, lastValueFrom, toArray, type Observable } from 'rxjs';
import type { ChatCompletionChunk } from '@ai-gateway/openai-api';
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
import { MAX_PROVIDER_ERROR_MESSAGE_BYTES } from '@ai-gateway/provider-http';
import { createGrpcClient, decodeGrpcError, GrpcStatus, type DecodedGrpcError, type RunningService } from '@ai-gateway/service-kit';
import { FAKE_ANTHROPIC_API_KEY, startFakeAnthropic, testServiceCredentials, type FakeAnthropic } from '@ai-gateway/testing';
import { createApp } from './app';

const MODEL = 'claude-3-5-sonnet-20241022';
const SLICE = 16;
const MAX_RESPONSE_BYTES = 1024 * 1024;

const KEYS: Array<[string, string]> = [
  ['sk-ant-', `sk-ant-api03-${randomBytes(70).toString('base64url')}`],
  ['gsk_', `gsk_${randomBytes(26).toString('hex')}`],
  ['40-hex', randomBytes(20).toString('hex')],
  [
    'JSON service account',
    JSON.stringify({
      type: 'service_account',
      private_key_id: randomBytes(20).toString('hex'),
      private_key: `-----BEGIN PRIVATE KEY-----\n${randomBytes(96).toString('base64')}\n-----END PRIVATE KEY-----\n`,
    }),
  ],
];

const echoes = (key: string): string => `invalid x-api-key ${key} (prefix ${key.slice(0, 39)}; tail ${key.slice(-20)})`;

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

describe('adapter-anthropic when Anthropic or the client misbehaves', () => {
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
  const hello = { messages: [{ role: 'user', content: 'one two three four five six' }] };
  const streamHello = { ...hello, stream: true };
  const failure = (call: Observable<unknown>): Promise<DecodedGrpcError> =>
    lastValueFrom(call).then(
      () => Promise.reject(new Error('expected the call to fail')),
      (error: unknown) => decodeGrpcError(error),
    );
  const streamFailure = (call: Observable<AdapterStreamEvent>): Promise<{ events: AdapterStreamEvent[]; error: DecodedGrpcError }> =>
    new Promise((resolve, reject) => {
      const events: AdapterStreamEvent[] = [];
      call.subscribe({
        next: (event) => events.push(event),
        error: (error: unknown) => resolve({ events, error: decodeGrpcError(error) }),
        complete: () => reject(new Error('expected the stream to fail')),
      });
    });
  const chunksOf = (events: AdapterStreamEvent[]): ChatCompletionChunk[] =>
    events.flatMap((event) => (event.chunk ? [JSON.parse(Buffer.from(event.chunk).toString('utf8')) as ChatCompletionChunk] : []));

  beforeAll(async () => {
    fake = await startFakeAnthropic({ validApiKeys: [FAKE_ANTHROPIC_API_KEY, ...KEYS.map(([, key]) => key)] });
    const service = testServiceCredentials();
    app = await createApp({ GRPC_PORT: '0', METRICS_PORT: '0', BIND_HOST: '127.0.0.1', LOG_LEVEL: 'warn', MAX_RESPONSE_BYTES: String(MAX_RESPONSE_BYTES), SERVICE_CALLERS: service.callers });
    const proxy = createGrpcClient({ url: `127.0.0.1:${app.ports.grpc}`, package: GATEWAY_V1_PACKAGE_NAME, protoPath: PROTO_FILES.adapter, credential: service.credentials.router });
    client = proxy.getService<ProviderAdapterServiceClient>(PROVIDER_ADAPTER_SERVICE_NAME);
    closeClient = () => proxy.close();
  });

  afterAll(async () => {
    closeClient();
    await app.close();
    await fake.close();
  });

  describe.each(KEYS)('echoing a %s key', (_shape, key) => {
    const target = { apiKey: key };

    it('in an HTTP error', async () => {
      fake.setScenario({ kind: 'echo_key', status: 401, message: echoes }, 1);
      const error = await failure(client.chat(request(hello, {}, target)));
      expect(error.code).toBe(GrpcStatus.UNAUTHENTICATED);
      expect(error.detail).toMatchObject({ fault: Fault.FAULT_PROVIDER_HTTP, upstreamHttpStatus: 401 });
      expect(error.message).toContain('invalid x-api-key [redacted]');
      expect(leakedSlice(errorText(error), key)).toBeUndefined();
    });

    it('in a stream error event before any content', async () => {
      fake.setScenario({ kind: 'stream_error_event', afterEvents: 0, errorType: 'overloaded_error', message: echoes }, 1);
      const { error } = await streamFailure(client.chatStream(request(streamHello, {}, target)));
      expect(error.detail).toMatchObject({ fault: Fault.FAULT_PROVIDER_HTTP, upstreamHttpStatus: 529 });
      expect(leakedSlice(errorText(error), key)).toBeUndefined();
    });

    it('in an error event mid-stream', async () => {
      fake.setScenario({ kind: 'stream_error_event', afterEvents: 4, errorType: 'api_error', message: echoes }, 1);
      const { events, error } = await streamFailure(client.chatStream(request(streamHello, {}, target)));
      expect(chunksOf(events).length).toBeGreaterThan(0);
      expect(error.detail).toMatchObject({ fault: Fault.FAULT_PROVIDER_HTTP, upstreamHttpStatus: 500 });
      expect(error.message).toContain('[redacted]');
      expect(leakedSlice(errorText(error), key)).toBeUndefined();
    });
  });

  it('cuts a 65,000-character error body to a short message', async () => {
    fake.setScenario({ kind: 'huge_error_body', status: 500, chars: 65_000 }, 1);
    const error = await failure(client.chat(request(hello)));
    expect(error.detail).toMatchObject({ fault: Fault.FAULT_PROVIDER_HTTP, upstreamHttpStatus: 500 });
    expect(Buffer.byteLength(error.message)).toBeLessThanOrEqual(MAX_PROVIDER_ERROR_MESSAGE_BYTES);
  });

  it('reads a 200 that is not JSON as one malformed answer', async () => {
    const before = fake.requests.length;
    fake.setScenario({ kind: 'invalid_json' }, 1);
    const error = await failure(client.chat(request(hello)));
    expect(error.code).toBe(GrpcStatus.UNAVAILABLE);
    expect(error.detail).toMatchObject({ fault: Fault.FAULT_PROVIDER_MALFORMED, openaiErrorCode: 'bad_upstream_response' });
    expect(fake.requests.length).toBe(before + 1);
  });

  it('refuses an answer over the response size limit as malformed', async () => {
    fake.setScenario({ kind: 'oversized_answer', bytes: 3 * MAX_RESPONSE_BYTES }, 1);
    const error = await failure(client.chat(request(hello)));
    expect(error.detail).toMatchObject({ fault: Fault.FAULT_PROVIDER_MALFORMED });
    expect(error.message).toContain(`${MAX_RESPONSE_BYTES}-byte limit`);
  });

  it('refuses an SSE line over the limit as malformed', async () => {
    fake.setScenario({ kind: 'huge_sse_line', chars: 5 * 1024 * 1024 }, 1);
    const { error } = await streamFailure(client.chatStream(request(streamHello)));
    expect(error.detail).toMatchObject({ fault: Fault.FAULT_PROVIDER_MALFORMED });
  });

  it('completes a stream that ends after message_delta without message_stop, usage counted', async () => {
    fake.setScenario({ kind: 'no_message_stop' }, 1);
    const events = await lastValueFrom(client.chatStream(request(streamHello, { includeUsage: true })).pipe(toArray()));
    const chunks = chunksOf(events);
    expect(chunks.some((chunk) => chunk.choices[0]?.finish_reason === 'stop')).toBe(true);
    expect(chunks[chunks.length - 1]).toMatchObject({ choices: [], usage: { completion_tokens: expect.any(Number) } });
    expect(events[events.length - 1].usage?.completionTokens).toBeGreaterThan(0);
  });

  it('names a stream reset mid-answer a cut after N chunks', async () => {
    fake.setScenario({ kind: 'stream_cut', afterEvents: 5 }, 1);
    const { events, error } = await streamFailure(client.chatStream(request(streamHello)));
    const chunks = chunksOf(events).length;
    expect(chunks).toBeGreaterThan(0);
    expect(error.detail).toMatchObject({ fault: Fault.FAULT_PROVIDER_STREAM_CUT, openaiErrorCode: 'stream_cut', retryable: true });
    expect(error.message).toContain(`stream cut after ${chunks} chunks`);
  });

  it('names a body that ends before a stop reason a cut', async () => {
    fake.setScenario({ kind: 'stream_end', afterEvents: 5 }, 1);
    const { error } = await streamFailure(client.chatStream(request(streamHello)));
    expect(error.detail).toMatchObject({ fault: Fault.FAULT_PROVIDER_STREAM_CUT });
    expect(error.message).toMatch(/stream cut after \d+ chunks/);
  });

  it('names a stalled stream a timeout with its idle gap', async () => {
    fake.setScenario({ kind: 'stream_stall', afterEvents: 5 }, 1);
    const { error } = await streamFailure(client.chatStream(request(streamHello, { timeoutMs: 300 })));
    expect(error.code).toBe(GrpcStatus.DEADLINE_EXCEEDED);
    expect(error.detail).toMatchObject({ fault: Fault.FAULT_PROVIDER_TIMEOUT, openaiErrorCode: 'idle_timeout' });
    expect(error.message).toMatch(/idle for 300 ms after \d+ chunks/);
  });

  it('classifies a mid-stream rate-limit event as a 429', async () => {
    fake.setScenario({ kind: 'stream_error_event', afterEvents: 4, errorType: 'rate_limit_error', message: 'slow down' }, 1);
    const { error } = await streamFailure(client.chatStream(request(streamHello)));
    expect(error.code).toBe(GrpcStatus.RESOURCE_EXHAUSTED);
    expect(error.detail).toMatchObject({ fault: Fault.FAULT_PROVIDER_HTTP, upstreamHttpStatus: 429 });
  });

  describe("the client's request", () => {
    it.each<[string, object, string]>([
      ['content of a wrong type', { messages: [{ role: 'user', content: 5 }] }, 'messages[0].content'],
      ['tool calls that are no array', { messages: [{ role: 'user', content: 'x' }, { role: 'assistant', tool_calls: 'f' }] }, 'messages[1].tool_calls'],
    ])('refuses %s naming the field, without calling Anthropic', async (_case, body, param) => {
      const before = fake.requests.length;
      const error = await failure(client.chat(request(body)));
      expect(error.code).toBe(GrpcStatus.INVALID_ARGUMENT);
      expect(error.detail).toMatchObject({ fault: Fault.FAULT_CLIENT_REQUEST, param, retryable: false });
      expect(error.message).not.toMatch(/is not a function|Cannot read/);
      expect(fake.requests.length).toBe(before);
    });

    it('refuses 100,000 nested arrays with a clear message, never the stack overflow text', async () => {
      const deep = `{"model":"claude-sonnet","messages":[{"role":"user","content":"x"}],"tools":[{"type":"function","function":{"name":"f","parameters":{"a":${'['.repeat(100_000)}${']'.repeat(100_000)}}}}]}`;
      const error = await failure(client.chat({ ...request(hello), body: Buffer.from(deep) }));
      expect(error.code).toBe(GrpcStatus.INVALID_ARGUMENT);
      expect(error.detail).toMatchObject({ fault: Fault.FAULT_CLIENT_REQUEST, openaiErrorCode: 'nesting_too_deep' });
      expect(error.message).not.toMatch(/call stack/i);
    });

    it('still answers after all of that', async () => {
      const response = await firstValueFrom(client.chat(request(hello)));
      expect(response.hasUsage).toBe(true);
    });
  });
});
