import { Readable } from 'node:stream';
import { Metadata } from '@grpc/grpc-js';
import { RpcException } from '@nestjs/microservices';
import { errors as undiciErrors } from 'undici';
import { OpenAiRequestError } from '@ai-gateway/openai-api';
import { Fault } from '@ai-gateway/proto';
import { MAX_RETRY_AFTER_MS } from '@ai-gateway/routing';
import { SseLimitError } from '@ai-gateway/sse';
import { decodeGrpcError, GrpcStatus, type GatewayGrpcErrorShape } from '@ai-gateway/service-kit';
import {
  adapterGrpcError,
  clientRequestGrpcError,
  MAX_PROVIDER_ERROR_MESSAGE_BYTES,
  ProviderAnswerError,
  providerAnswerGrpcError,
  type FailureContext,
} from './adapter-failure';
import { limitsOf } from './adapter-request';
import { headerList, readBounded } from './read-limited';
import { UpstreamCallError, type UpstreamResponse } from './upstream.client';

const LIMITS = { headersMs: 1000, firstTokenMs: 2000, idleMs: 3000, deadlineUnixMs: 0 };
const KEY = 'gsk_0123456789abcdef0123456789abcdef0123456789';

function context(overrides: Partial<FailureContext> = {}): FailureContext & { logged: string[] } {
  const logged: string[] = [];
  return {
    providerId: 'groq',
    signal: new AbortController().signal,
    limits: LIMITS,
    answered: false,
    scrub: (text) => text.split(KEY).join('[redacted]'),
    logUnexpected: (message, detail) => logged.push(`${message} ${JSON.stringify(detail)}`),
    logged,
    ...overrides,
  };
}

const decode = (shape: object) => decodeGrpcError(shape as GatewayGrpcErrorShape & { details: string });
const aborted = (reason: unknown): AbortSignal => {
  const controller = new AbortController();
  controller.abort(reason);
  return controller.signal;
};

describe('adapterGrpcError', () => {
  it.each<[string, unknown, Partial<FailureContext>, GrpcStatus, Fault, RegExp]>([
    ['a refused connection', Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }), {}, GrpcStatus.UNAVAILABLE, Fault.FAULT_PROVIDER_CONNECTION, /could not reach provider groq \(ECONNREFUSED\)/],
    ['a reset before headers', new undiciErrors.SocketError('other side closed'), {}, GrpcStatus.UNAVAILABLE, Fault.FAULT_PROVIDER_CONNECTION, /could not reach/],
    ['a reset after headers, mid-stream', new undiciErrors.SocketError('other side closed'), { answered: true, chunks: 40 }, GrpcStatus.UNAVAILABLE, Fault.FAULT_PROVIDER_STREAM_CUT, /stream cut after 40 chunks/],
    ['a reset while reading a unary body', Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }), { answered: true }, GrpcStatus.UNAVAILABLE, Fault.FAULT_PROVIDER_STREAM_CUT, /cut its answer \(connection ECONNRESET\)/],
    ['undici headers timeout', new undiciErrors.HeadersTimeoutError(), {}, GrpcStatus.DEADLINE_EXCEEDED, Fault.FAULT_PROVIDER_TIMEOUT, /no response headers within 1000 ms/],
    ['our headers timer', new Error('aborted'), { signal: aborted({ kind: 'timeout', phase: 'headers', limitMs: 1000 }) }, GrpcStatus.DEADLINE_EXCEEDED, Fault.FAULT_PROVIDER_TIMEOUT, /no response headers within 1000 ms/],
    ['our first-token timer', new Error('aborted'), { answered: true, chunks: 1, signal: aborted({ kind: 'timeout', phase: 'first_token', limitMs: 2000 }) }, GrpcStatus.DEADLINE_EXCEEDED, Fault.FAULT_PROVIDER_TIMEOUT, /no first token within 2000 ms/],
    ['our idle timer', new Error('aborted'), { answered: true, chunks: 12, signal: aborted({ kind: 'timeout', phase: 'idle', limitMs: 3000 }) }, GrpcStatus.DEADLINE_EXCEEDED, Fault.FAULT_PROVIDER_TIMEOUT, /idle for 3000 ms after 12 chunks/],
    ['the request deadline', new Error('aborted'), { answered: true, chunks: 9, signal: aborted({ kind: 'timeout', phase: 'deadline', limitMs: 4000 }) }, GrpcStatus.DEADLINE_EXCEEDED, Fault.FAULT_PROVIDER_TIMEOUT, /not finished when the request deadline passed \(4000 ms\) after 9 chunks/],
    ['the client leaving', new Error('aborted'), { signal: aborted({ kind: 'cancelled' }) }, GrpcStatus.CANCELLED, Fault.FAULT_CLIENT_CANCELLED, /cancelled by the client/],
    ['a malformed answer', new ProviderAnswerError('malformed', 'the answer is not valid JSON'), { answered: true }, GrpcStatus.UNAVAILABLE, Fault.FAULT_PROVIDER_MALFORMED, /malformed answer: the answer is not valid JSON/],
    ['an SSE limit', new SseLimitError('line', 4), { answered: true, chunks: 2 }, GrpcStatus.UNAVAILABLE, Fault.FAULT_PROVIDER_MALFORMED, /SSE line is longer than 4/],
    ['a cut stream', new ProviderAnswerError('stream_cut', 'the body ended before a finish reason'), { answered: true, chunks: 7 }, GrpcStatus.UNAVAILABLE, Fault.FAULT_PROVIDER_STREAM_CUT, /stream cut after 7 chunks \(the body ended before a finish reason\)/],
    ['a bug of ours', new TypeError('x.flatMap is not a function'), { answered: true }, GrpcStatus.INTERNAL, Fault.FAULT_GATEWAY_INTERNAL, /^the adapter for provider groq failed while handling its answer$/],
  ])('classifies %s', (_case, error, overrides, code, fault, message) => {
    const decoded = decode(adapterGrpcError(error, context(overrides)));
    expect(decoded.code).toBe(code);
    expect(decoded.detail?.fault).toBe(fault);
    expect(decoded.message).toMatch(message);
  });

  it('passes an already classified error through', () => {
    const error = new RpcException({ code: GrpcStatus.NOT_FOUND, details: 'x', metadata: new Metadata() });
    expect(adapterGrpcError(error, context())).toBe(error.getError());
  });

  it('keeps an internal error text out of the message and logs it scrubbed', () => {
    const ctx = context({ answered: true });
    const decoded = decode(adapterGrpcError(new TypeError(`bad ${KEY}`), ctx));
    expect(decoded.message).not.toMatch(/bad/);
    expect(ctx.logged.join('')).toContain('bad [redacted]');
    expect(ctx.logged.join('')).not.toContain(KEY);
  });

  it('reads an UpstreamCallError it made itself', () => {
    const decoded = decode(adapterGrpcError(new UpstreamCallError({ kind: 'timeout', phase: 'idle', limitMs: 5 }), context()));
    expect(decoded.detail).toMatchObject({ fault: Fault.FAULT_PROVIDER_TIMEOUT, openaiErrorCode: 'idle_timeout', retryable: true });
  });
});

describe('clientRequestGrpcError', () => {
  const logged: string[] = [];
  const log = (message: string): void => {
    logged.push(message);
  };

  it.each<[string, unknown, RegExp, string]>([
    ['a translation refusal', new OpenAiRequestError("Parameter 'n' is not supported", 400, 'invalid_request_error', 'n', 'invalid_parameter'), /Parameter 'n'/, 'n'],
    ['invalid JSON', new SyntaxError('Unexpected token } in JSON at position 9'), /^The request body is not valid JSON\.$/, ''],
    ['a stack overflow from nesting', new RangeError('Maximum call stack size exceeded'), /nested too deeply/, ''],
    ['a wrong type deep in the translation', new TypeError('x.flatMap is not a function'), /unexpected type or shape/, ''],
  ])('makes %s INVALID_ARGUMENT with FAULT_CLIENT_REQUEST', (_case, error, message, param) => {
    const decoded = decode(clientRequestGrpcError('anthropic', error, log));
    expect(decoded.code).toBe(GrpcStatus.INVALID_ARGUMENT);
    expect(decoded.detail).toMatchObject({ fault: Fault.FAULT_CLIENT_REQUEST, retryable: false, param });
    expect(decoded.message).toMatch(message);
    expect(decoded.message).not.toMatch(/Maximum call stack|is not a function|position 9/);
  });

  it('logs only the unexpected kind', () => {
    expect(logged).toHaveLength(1);
    expect(logged[0]).toMatch(/could not be translated/);
  });
});

describe('providerAnswerGrpcError', () => {
  it('scrubs the key before cutting the message to its bound', () => {
    const message = `${'p'.repeat(100)} ${KEY} ${'q'.repeat(64_000)}`;
    const error = { status: 401, upstreamStatus: 401, type: 'authentication_error', code: null, param: null, message, retryable: false };
    const decoded = decode(providerAnswerGrpcError('groq', error, context().scrub));
    expect(Buffer.byteLength(decoded.message)).toBeLessThanOrEqual(MAX_PROVIDER_ERROR_MESSAGE_BYTES);
    expect(decoded.message).toContain('[redacted]');
    expect(decoded.message).not.toContain(KEY.slice(0, 16));
    expect(decoded.detail).toMatchObject({ fault: Fault.FAULT_PROVIDER_HTTP, upstreamHttpStatus: 401 });
  });

  it("carries a provider's wait of 1e20 s as a day: as it was, it broke the int64 it travels in and read as the gateway's own failure", () => {
    const error = { status: 429, upstreamStatus: 429, type: 'rate_limit_exceeded', code: null, param: null, message: 'slow down', retryable: true };
    const decoded = decode(providerAnswerGrpcError('groq', error, context().scrub, { retryAfterMs: 1e23 }));
    expect(decoded.code).toBe(GrpcStatus.RESOURCE_EXHAUSTED);
    expect(decoded.detail).toMatchObject({ fault: Fault.FAULT_PROVIDER_HTTP, upstreamHttpStatus: 429, retryAfterMs: MAX_RETRY_AFTER_MS });
  });

  it("keeps a provider's type, code and param when they are short identifiers", () => {
    const error = { status: 400, upstreamStatus: 400, type: 'invalid_request_error', code: 'context_length_exceeded', param: 'messages[0].content', message: 'too long', retryable: false };
    const decoded = decode(providerAnswerGrpcError('groq', error, context().scrub));
    expect(decoded.detail).toMatchObject({ openaiErrorType: 'invalid_request_error', openaiErrorCode: 'context_length_exceeded', param: 'messages[0].content' });
  });

  it('drops a type, code or param that echoes the key or is no identifier: they become labels, attributes and events', () => {
    const error = { status: 401, upstreamStatus: 401, type: KEY, code: `bad_${KEY}`, param: 'p'.repeat(101), message: 'invalid key', retryable: false };
    const decoded = decode(providerAnswerGrpcError('groq', error, context().scrub));
    expect(decoded.detail).toMatchObject({ openaiErrorType: 'invalid_request_error', openaiErrorCode: '', param: '' });
    const server = decode(providerAnswerGrpcError('groq', { ...error, status: 502, upstreamStatus: 500, type: 'server error: see https://status.example' }, context().scrub));
    expect(server.detail?.openaiErrorType).toBe('server_error');
    expect(JSON.stringify(server)).not.toContain(KEY.slice(0, 16));
  });
});

describe('readBounded', () => {
  const response = (pieces: Buffer[], headers: Record<string, string> = {}): UpstreamResponse & { destroyed: () => boolean } => {
    const body = Readable.from(pieces);
    return { status: 200, headers, body: body as unknown as UpstreamResponse['body'], destroyed: () => body.destroyed };
  };

  it('reads a body within the limit', async () => {
    expect((await readBounded(response([Buffer.from('ab'), Buffer.from('cd')]), 4)).toString()).toBe('abcd');
  });

  it('refuses a body that grows past the limit, with a running count', async () => {
    const answer = response(Array.from({ length: 100 }, () => Buffer.alloc(1024)));
    await expect(readBounded(answer, 10 * 1024)).rejects.toMatchObject({ kind: 'malformed', reason: expect.stringMatching(/10240-byte limit/) });
    expect(answer.destroyed()).toBe(true);
  });

  it('refuses at once a body whose Content-Length is over the limit', async () => {
    const answer = response([Buffer.from('x')], { 'content-length': String(64 * 1024 * 1024) });
    await expect(readBounded(answer, 1024)).rejects.toBeInstanceOf(ProviderAnswerError);
    expect(answer.destroyed()).toBe(true);
  });
});

describe('limitsOf', () => {
  it('uses timeout_ms for every phase an older router does not send', () => {
    expect(limitsOf({ timeoutMs: 5000 } as never)).toEqual({ headersMs: 5000, firstTokenMs: 5000, idleMs: 5000, deadlineUnixMs: 0 });
    expect(limitsOf({ timeoutMs: 0 } as never).headersMs).toBe(600_000);
  });

  it("reads the router's finer limits by their generated names", () => {
    expect(
      limitsOf({ timeoutMs: 300_000, headersTimeoutMs: 10_000, firstTokenTimeoutMs: 300_000, idleTimeoutMs: 0, deadlineUnixMs: 1_700_000_000_000 } as never),
    ).toEqual({ headersMs: 10_000, firstTokenMs: 300_000, idleMs: 300_000, deadlineUnixMs: 1_700_000_000_000 });
  });
});

describe('headerList', () => {
  it('passes rate-limit headers and bounds what a provider could inflate', () => {
    expect(headerList({ 'x-ratelimit-limit-requests': '50' })).toEqual([{ name: 'x-ratelimit-limit-requests', value: '50' }]);
    const inflated = Object.fromEntries(Array.from({ length: 200 }, (_, i) => [`x-ratelimit-${i}`, 'v'.repeat(60_000)]));
    const list = headerList(inflated);
    expect(list.length).toBeLessThanOrEqual(32);
    expect(list.reduce((sum, h) => sum + h.name.length + h.value.length, 0)).toBeLessThanOrEqual(4096);
  });
});
