import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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
import { MAX_PROVIDER_ERROR_MESSAGE_BYTES } from '@ai-gateway/provider-http';
import { createGrpcClient, decodeGrpcError, GrpcStatus, type DecodedGrpcError, type RunningService } from '@ai-gateway/service-kit';
import { startFakeOpenAi, testServiceCredentials, type FakeOpenAi } from '@ai-gateway/testing';
import { createApp } from './app';

const SLICE = 16;
const MAX_RESPONSE_BYTES = 1024 * 1024;

// Key shapes an OpenAI-compatible provider entry can hold (OpenAI, Groq, a self-hosted bare
// hex token, a service-account JSON blob as one header-safe line).
const KEYS: Array<[string, string]> = [
  ['sk-proj-', `sk-proj-${randomBytes(36).toString('base64url')}`],
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

/** The key whole, a 39-character prefix (what survived the old scrubber), a middle and a tail slice. */
const echoes = (key: string): string =>
  `Incorrect API key provided: ${key}. Prefix ${key.slice(0, 39)}, middle ${key.slice(10, 10 + SLICE + 3)}, tail ${key.slice(-20)}.`;

/** The first 16-character slice of `secret` found in `text`. */
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

describe('adapter-openai over gRPC against the fake OpenAI API', () => {
  let fake: FakeOpenAi;
  let app: RunningService;
  let client: ProviderAdapterServiceClient;
  let closeClient: () => void;
  let logDir: string;
  let appClosed = false;

  const request = (body: object, fields: Partial<AdapterRequest> = {}, target: Partial<ProviderTarget> = {}): AdapterRequest => ({
    requestId: 'req-test',
    target: { providerId: 'openai', kind: 'openai', baseUrl: fake.baseUrl, apiKey: 'sk-test-0000000000000000000000', model: 'gpt-4o', maxOutputTokens: 0, ...target },
    body: Buffer.from(JSON.stringify({ model: 'gpt-4o', ...body })),
    clientModel: 'gpt-4o',
    includeUsage: false,
    headers: [],
    timeoutMs: 10_000,
    ...fields,
  });
  const hello = { messages: [{ role: 'user', content: 'hi there' }] };
  const streamHello = { ...hello, stream: true };
  const failure = (call: Observable<unknown>): Promise<DecodedGrpcError> =>
    lastValueFrom(call).then(
      () => Promise.reject(new Error('expected the call to fail')),
      (error: unknown) => decodeGrpcError(error),
    );
  /** The events a stream gave before it failed, and its error. */
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
    logDir = mkdtempSync(join(tmpdir(), 'adapter-openai-'));
    fake = await startFakeOpenAi();
    const service = testServiceCredentials();
    app = await createApp({
      SERVICE_CALLERS: service.callers,
      GRPC_PORT: '0',
      METRICS_PORT: '0',
      BIND_HOST: '127.0.0.1',
      LOG_LEVEL: 'debug',
      LOG_FILE: join(logDir, 'adapter.log'),
      MAX_RESPONSE_BYTES: String(MAX_RESPONSE_BYTES),
    });
    const proxy = createGrpcClient({ url: `127.0.0.1:${app.ports.grpc}`, package: GATEWAY_V1_PACKAGE_NAME, protoPath: PROTO_FILES.adapter, credential: service.credentials.router });
    client = proxy.getService<ProviderAdapterServiceClient>(PROVIDER_ADAPTER_SERVICE_NAME);
    closeClient = () => proxy.close();
  });

  afterAll(async () => {
    closeClient();
    if (!appClosed) await app.close();
    await fake.close();
    rmSync(logDir, { recursive: true, force: true });
  });

  describe('answers', () => {
    it('answers a chat with the provider body, usage and rate-limit headers', async () => {
      const response = await firstValueFrom(client.chat(request(hello)));
      const completion = JSON.parse(Buffer.from(response.body).toString('utf8')) as ChatCompletion;
      expect(completion.choices[0].message.content).toBe('Hello from the fake provider.');
      expect(response).toMatchObject({ hasUsage: true, responseModel: 'gpt-4o' });
      expect(response.headers).toEqual(expect.arrayContaining([{ name: 'x-ratelimit-limit-requests', value: '10000' }]));
    });

    it('streams, counting usage it asked for without showing the client the usage chunk', async () => {
      const events = await lastValueFrom(client.chatStream(request(streamHello)).pipe(toArray()));
      const chunks = chunksOf(events);
      expect(chunks.map((chunk) => chunk.choices[0]?.delta.content ?? '').join('')).toBe('Hello from the fake provider.');
      expect(chunks.every((chunk) => chunk.choices.length > 0)).toBe(true);
      expect(events.find((event) => event.usage)?.usage?.completionTokens).toBe(6);
      expect(fake.requests[fake.requests.length - 1].body).toMatchObject({ stream_options: { include_usage: true } });
    });

    it('completes a stream that ends after its finish_reason and usage without [DONE], usage counted', async () => {
      fake.enqueue({ kind: 'no_done' });
      const body = { ...streamHello, stream_options: { include_usage: true } };
      const events = await lastValueFrom(client.chatStream(request(body, { includeUsage: true })).pipe(toArray()));
      const chunks = chunksOf(events);
      expect(chunks.some((chunk) => chunk.choices[0]?.finish_reason === 'stop')).toBe(true);
      expect(chunks[chunks.length - 1]).toMatchObject({ choices: [], usage: { completion_tokens: 6 } });
      expect(events.find((event) => event.usage)?.usage).toMatchObject({ completionTokens: 6 });
    });
  });

  describe.each(KEYS)('a provider that echoes a %s key', (_shape, key) => {
    const target = { apiKey: key };

    it('in an HTTP error: no 16-character slice of it comes back', async () => {
      fake.enqueue({ kind: 'echo_key', status: 401, message: echoes });
      const error = await failure(client.chat(request(hello, {}, target)));
      expect(error.code).toBe(GrpcStatus.UNAUTHENTICATED);
      expect(error.detail).toMatchObject({ fault: Fault.FAULT_PROVIDER_HTTP, upstreamHttpStatus: 401 });
      expect(error.message).toContain('Incorrect API key provided: [redacted]');
      expect(leakedSlice(errorText(error), key)).toBeUndefined();
    });

    it('in a stream error event before any chunk', async () => {
      fake.enqueue({ kind: 'error_event_after_chunks', chunks: 0, message: echoes });
      const { error } = await streamFailure(client.chatStream(request(streamHello, {}, target)));
      expect(error.detail).toMatchObject({ fault: Fault.FAULT_PROVIDER_HTTP, upstreamHttpStatus: 500 });
      expect(error.message).toContain('[redacted]');
      expect(leakedSlice(errorText(error), key)).toBeUndefined();
    });

    it('in an error event in the middle of a stream', async () => {
      fake.enqueue({ kind: 'error_event_after_chunks', chunks: 3, message: echoes });
      const { events, error } = await streamFailure(client.chatStream(request(streamHello, {}, target)));
      expect(chunksOf(events)).toHaveLength(3);
      expect(error.detail).toMatchObject({ fault: Fault.FAULT_PROVIDER_HTTP });
      expect(leakedSlice(errorText(error), key)).toBeUndefined();
    });
  });

  describe('bounded error text', () => {
    it('cuts a 65,000-character provider error body to a short message; the channel keeps serving', async () => {
      fake.enqueue({ kind: 'huge_error_body', status: 500, chars: 65_000 });
      const [error, bystander] = await Promise.all([failure(client.chat(request(hello))), firstValueFrom(client.chat(request(hello)))]);
      expect(error.code).toBe(GrpcStatus.UNAVAILABLE);
      expect(error.detail).toMatchObject({ fault: Fault.FAULT_PROVIDER_HTTP, upstreamHttpStatus: 500, retryable: true });
      expect(Buffer.byteLength(error.message)).toBeLessThanOrEqual(MAX_PROVIDER_ERROR_MESSAGE_BYTES);
      expect(error.message.startsWith('eeee')).toBe(true);
      expect(bystander.hasUsage).toBe(true);
    });

    it('keeps a 72,000-character model name out of the error text', async () => {
      const model = 'm'.repeat(72_000);
      fake.enqueue({ kind: 'echo_key', status: 404, message: () => `The model \`${model}\` does not exist or you do not have access to it.` });
      const error = await failure(client.chat(request(hello, {}, { model })));
      expect(error.code).toBe(GrpcStatus.NOT_FOUND);
      expect(Buffer.byteLength(error.message)).toBeLessThanOrEqual(MAX_PROVIDER_ERROR_MESSAGE_BYTES);
    });
  });

  describe('malformed answers: one failed attempt, never a connection failure', () => {
    it('a 200 whose body is not JSON', async () => {
      const before = fake.requests.length;
      fake.enqueue({ kind: 'invalid_json' });
      const error = await failure(client.chat(request(hello)));
      expect(error.code).toBe(GrpcStatus.UNAVAILABLE);
      expect(error.detail).toMatchObject({ fault: Fault.FAULT_PROVIDER_MALFORMED, retryable: true, openaiErrorCode: 'bad_upstream_response' });
      expect(error.message).toMatch(/malformed answer: the answer is not valid JSON/);
      expect(fake.requests.length).toBe(before + 1);
    });

    it('an answer over the response size limit', async () => {
      fake.enqueue({ kind: 'oversized_answer', bytes: 3 * MAX_RESPONSE_BYTES });
      const error = await failure(client.chat(request(hello)));
      expect(error.detail).toMatchObject({ fault: Fault.FAULT_PROVIDER_MALFORMED });
      expect(error.message).toContain(`${MAX_RESPONSE_BYTES}-byte limit`);
    });

    it('a stream data line that is not JSON', async () => {
      fake.enqueue({ kind: 'malformed_after_chunks', chunks: 2 });
      const { events, error } = await streamFailure(client.chatStream(request(streamHello)));
      expect(chunksOf(events)).toHaveLength(2);
      expect(error.detail).toMatchObject({ fault: Fault.FAULT_PROVIDER_MALFORMED });
      expect(error.message).toMatch(/not JSON/);
    });

    it('an SSE line over the line limit', async () => {
      fake.enqueue({ kind: 'huge_sse_line', chars: 5 * 1024 * 1024 });
      const { error } = await streamFailure(client.chatStream(request(streamHello)));
      expect(error.detail).toMatchObject({ fault: Fault.FAULT_PROVIDER_MALFORMED });
      expect(error.message).toMatch(/SSE line is longer than/);
    });
  });

  describe('stream integrity', () => {
    it('names a stream reset mid-answer a cut after N chunks', async () => {
      fake.enqueue({ kind: 'cut_after_chunks', chunks: 3 });
      const { events, error } = await streamFailure(client.chatStream(request(streamHello)));
      expect(chunksOf(events)).toHaveLength(3);
      expect(error.code).toBe(GrpcStatus.UNAVAILABLE);
      expect(error.detail).toMatchObject({ fault: Fault.FAULT_PROVIDER_STREAM_CUT, openaiErrorCode: 'stream_cut', retryable: true });
      expect(error.message).toMatch(/stream cut after 3 chunks/);
    });

    it('names a body that ends before a finish reason a cut', async () => {
      fake.enqueue({ kind: 'end_after_chunks', chunks: 4 });
      const { error } = await streamFailure(client.chatStream(request(streamHello)));
      expect(error.detail).toMatchObject({ fault: Fault.FAULT_PROVIDER_STREAM_CUT });
      expect(error.message).toMatch(/stream cut after 4 chunks \(the body ended before a finish reason\)/);
    });

    it('names a stalled stream a timeout with its idle gap', async () => {
      fake.enqueue({ kind: 'stall_after_chunks', chunks: 3 });
      const { error } = await streamFailure(client.chatStream(request(streamHello, { timeoutMs: 300 })));
      expect(error.code).toBe(GrpcStatus.DEADLINE_EXCEEDED);
      expect(error.detail).toMatchObject({ fault: Fault.FAULT_PROVIDER_TIMEOUT, openaiErrorCode: 'idle_timeout' });
      expect(error.message).toMatch(/idle for 300 ms after 3 chunks/);
    });

    it('classifies a rate-limit error event mid-stream as the 429 it stands for', async () => {
      fake.enqueue({ kind: 'error_event_after_chunks', chunks: 2, type: 'requests', code: 'rate_limit_exceeded', message: () => 'Rate limit reached' });
      const { error } = await streamFailure(client.chatStream(request(streamHello)));
      expect(error.code).toBe(GrpcStatus.RESOURCE_EXHAUSTED);
      expect(error.detail).toMatchObject({ fault: Fault.FAULT_PROVIDER_HTTP, upstreamHttpStatus: 429, retryable: true });
    });
  });

  describe('no answer', () => {
    it('a provider that sends no headers is a headers timeout', async () => {
      fake.enqueue({ kind: 'hang' });
      const error = await failure(client.chat(request(hello, { timeoutMs: 300 })));
      expect(error.code).toBe(GrpcStatus.DEADLINE_EXCEEDED);
      expect(error.detail).toMatchObject({ fault: Fault.FAULT_PROVIDER_TIMEOUT, openaiErrorCode: 'headers_timeout' });
      expect(error.message).toMatch(/no response headers within 300 ms/);
    });

    it('a reset before headers is a connection failure', async () => {
      fake.enqueue({ kind: 'cut_before_first_byte' });
      const error = await failure(client.chat(request(hello)));
      expect(error.code).toBe(GrpcStatus.UNAVAILABLE);
      expect(error.detail).toMatchObject({ fault: Fault.FAULT_PROVIDER_CONNECTION, retryable: true });
    });

    it('a refused connection is a connection failure', async () => {
      const port = await closedPort();
      const { error } = await streamFailure(client.chatStream(request(streamHello, {}, { baseUrl: `http://127.0.0.1:${port}/v1` })));
      expect(error.detail).toMatchObject({ fault: Fault.FAULT_PROVIDER_CONNECTION });
      expect(error.message).toMatch(/could not reach provider openai \(ECONNREFUSED\)/);
    });

    it('an HTTP 429 is FAULT_PROVIDER_HTTP with its Retry-After', async () => {
      fake.enqueue({ kind: 'status', status: 429, headers: { 'retry-after': '2' } });
      const error = await failure(client.chat(request(hello)));
      expect(error.code).toBe(GrpcStatus.RESOURCE_EXHAUSTED);
      expect(error.detail).toMatchObject({ fault: Fault.FAULT_PROVIDER_HTTP, upstreamHttpStatus: 429, retryAfterMs: 2000 });
    });
  });

  describe("the client's request", () => {
    it('100,000 nested arrays that must be re-serialised are INVALID_ARGUMENT, never a stack overflow text', async () => {
      const before = fake.requests.length;
      const deep = `{"model":"gpt-4o-latest","messages":[{"role":"user","content":${'['.repeat(100_000)}${']'.repeat(100_000)}}]}`;
      const error = await failure(client.chat({ ...request(hello), body: Buffer.from(deep), clientModel: 'gpt-4o-latest' }));
      expect(error.code).toBe(GrpcStatus.INVALID_ARGUMENT);
      expect(error.detail).toMatchObject({ fault: Fault.FAULT_CLIENT_REQUEST, retryable: false, openaiErrorCode: 'nesting_too_deep' });
      expect(error.message).not.toMatch(/call stack/i);
      expect(fake.requests.length).toBe(before);
    });

    it('a body that is not JSON is INVALID_ARGUMENT when it must be rewritten', async () => {
      const error = await failure(client.chat({ ...request(hello), body: Buffer.from('{"model":"gpt-4o-latest",'), clientModel: 'gpt-4o-latest' }));
      expect(error.code).toBe(GrpcStatus.INVALID_ARGUMENT);
      expect(error.detail).toMatchObject({ fault: Fault.FAULT_CLIENT_REQUEST });
      expect(error.message).toBe('The request body is not valid JSON.');
    });
  });

  it('never wrote a slice of any key to its log', async () => {
    appClosed = true;
    await app.close();
    const log = readFileSync(join(logDir, 'adapter.log'), 'utf8');
    for (const [, key] of KEYS) expect(leakedSlice(log, key)).toBeUndefined();
  });
});

/** A port nothing listens on: bound, read, then closed. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
