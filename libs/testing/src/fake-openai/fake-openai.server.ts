// A fake OpenAI API following PROVIDERS.md §1 (openai-openapi, recorded cassettes):
// chat completions (stream and not), embeddings and models, with OpenAI's error shape,
// x-request-id and x-ratelimit-* headers. Scenarios inject failures for routing tests.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { randomUUID } from 'node:crypto';
import { writeInPieces } from '../write-in-pieces';

export interface RecordedRequest {
  method: string;
  path: string;
  headers: Record<string, string | string[] | undefined>;
  body: Record<string, unknown> | undefined;
}

/** One injected behaviour, consumed by the next chat request. */
export type FakeOpenAiScenario =
  | { kind: 'status'; status: number; body?: unknown; headers?: Record<string, string> }
  | { kind: 'hang' }
  /** Stream: headers and the role-only chunk at once, the first content after `delayMs`. */
  | { kind: 'slow_first_token'; delayMs: number }
  /** Nothing (no headers) for `delayMs`, then the normal answer, or an OpenAI error with `status`: a slow first byte. */
  | { kind: 'delay'; delayMs: number; status?: number }
  /** Stream: headers sent, then nothing at all (the socket stays open). */
  | { kind: 'headers_then_hang' }
  | { kind: 'cut_before_first_byte' }
  /** The socket is destroyed after this many stream events (a reset mid-answer). */
  | { kind: 'cut_after_chunks'; chunks: number }
  /** The body ends cleanly after this many stream events, before any finish_reason and [DONE]. */
  | { kind: 'end_after_chunks'; chunks: number }
  /** The stream stops sending after this many events and keeps the connection open. */
  | { kind: 'stall_after_chunks'; chunks: number }
  /** An in-band error event after this many chunks; `message` may be built from the caller's key. */
  | { kind: 'error_event_after_chunks'; chunks: number; message?: (key: string) => string; type?: string; code?: string | null }
  /** An HTTP error whose OpenAI-shaped message is built from the caller's key (a provider echoing it). */
  | { kind: 'echo_key'; status: number; message: (key: string) => string }
  /** An HTTP error whose body is an OpenAI error with a message of `chars` characters. */
  | { kind: 'huge_error_body'; status: number; chars: number }
  /** 200 with a JSON content type and a body that is not JSON. */
  | { kind: 'invalid_json' }
  /** 200 with a valid completion whose content makes the body `bytes` long. */
  | { kind: 'oversized_answer'; bytes: number }
  /** The whole answer and its usage, then the body ends without `data: [DONE]`. */
  | { kind: 'no_done' }
  /** A stream whose first event is one `data:` line of `chars` characters, written in 64 KiB pieces. */
  | { kind: 'huge_sse_line'; chars: number }
  /** Stream: `chunks` events, then a line that is not JSON. */
  | { kind: 'malformed_after_chunks'; chunks: number };

export interface FakeOpenAiOptions {
  validKeys?: string[];
  /** Words of the reply; the stream sends one chunk per word. */
  replyWords?: string[];
  /** Pause between stream chunks. */
  chunkDelayMs?: number;
  /** Delay before any answer. */
  responseDelayMs?: number;
  models?: string[];
  /** Prompt tokens reported as cached (prompt_tokens_details.cached_tokens), as OpenAI's prompt caching does. */
  cachedPromptTokens?: number;
}

export interface FakeOpenAi {
  url: string;
  baseUrl: string;
  requests: RecordedRequest[];
  /** Requests whose response is still open (hangs, streams in flight); idle keep-alive sockets do not count. */
  openConnections(): number;
  /** Bytes the open responses wrote that their reader (the gateway) has not taken yet: grows while it applies backpressure. */
  unsentBytes(): number;
  enqueue(...scenarios: FakeOpenAiScenario[]): void;
  /** A behaviour for every chat request until cleared (undefined): an outage, a flapping provider. */
  setPersistent(scenario: FakeOpenAiScenario | undefined): void;
  /** Chat requests received (any outcome). */
  chatRequests(): number;
  setValidKeys(keys: string[]): void;
  /** The delay before any answer from now on (responseDelayMs): a provider slowing down or recovering. */
  setResponseDelayMs(ms: number): void;
  /** Chat requests received from now on wait (counted by heldRequests()) until the returned function is called. */
  holdAnswers(): () => void;
  /** Chat requests waiting on holdAnswers(). */
  heldRequests(): number;
  /** Chat requests whose caller closed the connection before the answer was complete (an aborted request). */
  abortedChats(): number;
  /**
   * Chat requests with this key answer 429 as OpenAI's per-key limits do (`rate_limit_exceeded`,
   * `retry-after` in seconds, `x-ratelimit-remaining-requests: 0`) until cleared (undefined).
   */
  rateLimitKey(key: string, retryAfterSeconds: number | undefined): void;
  close(): Promise<void>;
}

const RATE_LIMIT_HEADERS = {
  'x-ratelimit-limit-requests': '10000',
  'x-ratelimit-remaining-requests': '9999',
  'x-ratelimit-reset-requests': '6ms',
  'x-ratelimit-limit-tokens': '2000000',
  'x-ratelimit-remaining-tokens': '1999990',
  'x-ratelimit-reset-tokens': '0s',
};

/** The largest `dimensions` OpenAI's embedding models accept (text-embedding-3-large). */
const MAX_EMBEDDING_DIMENSIONS = 3072;

function openAiError(message: string, type: string, code: string | null, param: string | null = null) {
  return { error: { message, type, param, code } };
}

/** The key the caller sent as `Authorization: Bearer <key>`. */
function bearerKey(req: IncomingMessage): string {
  const header = req.headers.authorization ?? '';
  return header.startsWith('Bearer ') ? header.slice(7) : '';
}

async function readBody(req: IncomingMessage): Promise<string> {
  const parts: Buffer[] = [];
  for await (const part of req) parts.push(part as Buffer);
  return Buffer.concat(parts).toString('utf8');
}

function countTokens(messages: unknown): number {
  return Math.max(1, Math.ceil(JSON.stringify(messages ?? '').length / 4));
}

export async function startFakeOpenAi(options: FakeOpenAiOptions = {}): Promise<FakeOpenAi> {
  let validKeys = new Set(options.validKeys ?? []);
  const words = options.replyWords ?? ['Hello', ' from', ' the', ' fake', ' provider', '.'];
  const models = options.models ?? ['gpt-4o', 'gpt-4o-mini', 'gpt-3.5-turbo', 'text-embedding-3-small'];
  const queue: FakeOpenAiScenario[] = [];
  let persistent: FakeOpenAiScenario | undefined;
  const requests: RecordedRequest[] = [];
  const sockets = new Set<Socket>();
  const open = new Set<ServerResponse>();
  let gate: Promise<void> | undefined;
  let held = 0;
  let abortedChats = 0;
  const rateLimitedKeys = new Map<string, number>();
  let responseDelayMs = options.responseDelayMs ?? 0;

  const send = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void => {
    const text = JSON.stringify(body);
    res.writeHead(status, {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(text),
      'x-request-id': `req_${randomUUID().replace(/-/g, '')}`,
      ...RATE_LIMIT_HEADERS,
      ...headers,
    });
    res.end(text);
  };

  const authorised = (req: IncomingMessage, res: ServerResponse): boolean => {
    const header = req.headers.authorization ?? '';
    const key = header.startsWith('Bearer ') ? header.slice(7) : '';
    if (validKeys.size === 0 || validKeys.has(key)) return true;
    // OpenAI echoes part of the key it refused; the gateway must scrub it.
    send(res, 401, openAiError(`Incorrect API key provided: ${key}. You can find your API key at https://platform.openai.com/account/api-keys.`, 'invalid_request_error', 'invalid_api_key'));
    return false;
  };

  const chat = async (req: IncomingMessage, res: ServerResponse, body: Record<string, unknown>): Promise<void> => {
    const limitedFor = rateLimitedKeys.get(bearerKey(req));
    if (limitedFor !== undefined) {
      const model = typeof body.model === 'string' ? body.model : 'gpt-4o';
      send(
        res,
        429,
        openAiError(
          `Rate limit reached for ${model} in organization org-fake on requests per min (RPM): Limit 3, Used 3, Requested 1. Please try again in ${limitedFor}s. Visit https://platform.openai.com/account/rate-limits to learn more.`,
          'requests',
          'rate_limit_exceeded',
        ),
        { 'retry-after': String(limitedFor), 'x-ratelimit-limit-requests': '3', 'x-ratelimit-remaining-requests': '0', 'x-ratelimit-reset-requests': `${limitedFor}s` },
      );
      return;
    }
    const scenario = queue.shift() ?? persistent;
    if (gate) {
      held++;
      await gate;
      held--;
    }
    res.on('close', () => {
      if (!res.writableFinished) abortedChats++;
    });
    if (responseDelayMs > 0) await new Promise((r) => setTimeout(r, responseDelayMs));
    if (scenario?.kind === 'hang') return; // never answers; the socket stays open
    if (scenario?.kind === 'delay') {
      await pause(scenario.delayMs, res);
      if (res.destroyed) return;
      if (scenario.status) {
        send(res, scenario.status, openAiError(`injected ${scenario.status}`, scenario.status >= 500 ? 'server_error' : 'invalid_request_error', null));
        return;
      }
    }
    if (scenario?.kind === 'cut_before_first_byte') {
      req.socket.destroy();
      return;
    }
    if (scenario?.kind === 'status') {
      send(res, scenario.status, scenario.body ?? openAiError(`injected ${scenario.status}`, scenario.status >= 500 ? 'server_error' : 'invalid_request_error', null), scenario.headers);
      return;
    }
    if (scenario?.kind === 'echo_key') {
      const type = scenario.status >= 500 ? 'server_error' : 'invalid_request_error';
      send(res, scenario.status, openAiError(scenario.message(bearerKey(req)), type, scenario.status === 401 ? 'invalid_api_key' : null));
      return;
    }
    if (scenario?.kind === 'huge_error_body') {
      send(res, scenario.status, openAiError('e'.repeat(scenario.chars), scenario.status >= 500 ? 'server_error' : 'invalid_request_error', null));
      return;
    }
    if (scenario?.kind === 'invalid_json') {
      res.writeHead(200, { 'content-type': 'application/json', ...RATE_LIMIT_HEADERS });
      res.end('{"id":"chatcmpl-broken","object":"chat.completion","choices":[{"index":0,"message":{"role":"assis');
      return;
    }
    if (scenario?.kind === 'huge_sse_line') {
      res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', ...RATE_LIMIT_HEADERS });
      await writeInPieces(res, `data: {"id":"chatcmpl-huge","choices":[{"index":0,"delta":{"content":"${'x'.repeat(scenario.chars)}"}}]}\n\n`);
      res.end('data: [DONE]\n\n');
      return;
    }
    if (typeof body.model !== 'string' || !Array.isArray(body.messages) || body.messages.length === 0) {
      send(res, 400, openAiError("'messages' is a required property", 'invalid_request_error', null, 'messages'));
      return;
    }
    const id = `chatcmpl-${randomUUID().replace(/-/g, '').slice(0, 24)}`;
    const created = Math.floor(Date.now() / 1000);
    const model = body.model;
    const promptTokens = countTokens(body.messages);
    const toolCall = toolCallFor(body);
    const replyWords = toolCall ? [] : toolResultReply(body) ?? words;
    const usage = {
      prompt_tokens: promptTokens,
      completion_tokens: replyWords.length + (toolCall ? 8 : 0),
      total_tokens: promptTokens + replyWords.length + (toolCall ? 8 : 0),
      prompt_tokens_details: { cached_tokens: Math.min(options.cachedPromptTokens ?? 0, promptTokens), audio_tokens: 0 },
      completion_tokens_details: { reasoning_tokens: 0, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 },
    };
    if (body.stream !== true) {
      if (scenario?.kind === 'oversized_answer') {
        res.writeHead(200, { 'content-type': 'application/json', ...RATE_LIMIT_HEADERS });
        const head = `{"id":"${id}","object":"chat.completion","created":${created},"model":"${String(model)}","choices":[{"index":0,"message":{"role":"assistant","content":"`;
        const tail = '"},"finish_reason":"stop"}]}';
        await writeInPieces(res, head + 'x'.repeat(Math.max(0, scenario.bytes - head.length - tail.length)) + tail);
        res.end();
        return;
      }
      send(res, 200, {
        id,
        object: 'chat.completion',
        created,
        model,
        choices: [
          toolCall
            ? { index: 0, message: { role: 'assistant', content: null, refusal: null, tool_calls: [toolCall] }, logprobs: null, finish_reason: 'tool_calls' }
            : { index: 0, message: { role: 'assistant', content: replyWords.join(''), refusal: null }, logprobs: null, finish_reason: 'stop' },
        ],
        usage,
        service_tier: 'default',
        system_fingerprint: 'fp_fake',
      });
      return;
    }
    const includeUsage = (body.stream_options as { include_usage?: boolean } | undefined)?.include_usage === true;
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache',
      'x-request-id': `req_${randomUUID().replace(/-/g, '')}`,
      ...RATE_LIMIT_HEADERS,
    });
    const chunk = (delta: Record<string, unknown>, finish: string | null) => ({
      id,
      object: 'chat.completion.chunk',
      created,
      model,
      service_tier: 'default',
      system_fingerprint: 'fp_fake',
      choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }],
      ...(includeUsage ? { usage: null } : {}),
    });
    const events: unknown[] = [chunk({ role: 'assistant', content: '', refusal: null }, null)];
    if (toolCall) {
      // The first fragment names the call; the arguments follow in pieces, as OpenAI streams them.
      events.push(chunk({ tool_calls: [{ index: 0, id: toolCall.id, type: 'function', function: { name: toolCall.function.name, arguments: '' } }] }, null));
      for (const piece of inThree(toolCall.function.arguments)) events.push(chunk({ tool_calls: [{ index: 0, function: { arguments: piece } }] }, null));
    }
    for (const word of replyWords) events.push(chunk({ content: word }, null));
    events.push(chunk({}, toolCall ? 'tool_calls' : 'stop'));
    if (includeUsage) events.push({ id, object: 'chat.completion.chunk', created, model, service_tier: 'default', system_fingerprint: 'fp_fake', choices: [], usage });
    if (scenario?.kind === 'headers_then_hang') {
      res.flushHeaders();
      return;
    }
    for (let i = 0; i < events.length; i++) {
      if (scenario?.kind === 'slow_first_token' && i === 1) await pause(scenario.delayMs, res);
      if (res.destroyed) return;
      if (scenario?.kind === 'cut_after_chunks' && i === scenario.chunks) {
        req.socket.destroy();
        return;
      }
      if (scenario?.kind === 'end_after_chunks' && i === scenario.chunks) {
        res.end();
        return;
      }
      if (scenario?.kind === 'stall_after_chunks' && i === scenario.chunks) return; // silent, connection open
      if (scenario?.kind === 'malformed_after_chunks' && i === scenario.chunks) {
        res.end('data: {"id":"chatcmpl-broken","choices":[{"delta":{"content":"oops"\n\n');
        return;
      }
      if (scenario?.kind === 'error_event_after_chunks' && i === scenario.chunks) {
        const message = scenario.message ? scenario.message(bearerKey(req)) : 'The server had an error while processing your request.';
        res.write(`data: ${JSON.stringify(openAiError(message, scenario.type ?? 'server_error', scenario.code ?? null))}\n\n`);
        res.end();
        return;
      }
      // Before a cut, wait until what was written reached the socket: destroying it sooner drops it.
      const flushed = new Promise<void>((resolve) => res.write(`data: ${JSON.stringify(events[i])}\n\n`, () => resolve()));
      if (scenario?.kind === 'cut_after_chunks') await flushed;
      if (options.chunkDelayMs) await new Promise((r) => setTimeout(r, options.chunkDelayMs));
    }
    if (scenario?.kind === 'no_done') {
      res.end();
      return;
    }
    res.end('data: [DONE]\n\n');
  };

  const embeddings = (res: ServerResponse, body: Record<string, unknown>): void => {
    const inputs = Array.isArray(body.input) ? body.input : [body.input];
    // As OpenAI does: `dimensions` is bounded by the model's size (3072 for text-embedding-3-large).
    if (body.dimensions !== undefined && !(Number.isInteger(body.dimensions) && (body.dimensions as number) >= 1 && (body.dimensions as number) <= MAX_EMBEDDING_DIMENSIONS)) {
      return send(res, 400, openAiError(`Invalid value for 'dimensions': must be an integer from 1 to ${MAX_EMBEDDING_DIMENSIONS}.`, 'invalid_request_error', 'invalid_value', 'dimensions'));
    }
    const dims = typeof body.dimensions === 'number' ? body.dimensions : 8;
    const data = inputs.map((_, index) => {
      const vector = Array.from({ length: dims }, (_, i) => Number(((index + 1) * 0.01 + i * 0.001).toFixed(6)));
      const embedding = body.encoding_format === 'base64' ? Buffer.from(new Float32Array(vector).buffer).toString('base64') : vector;
      return { object: 'embedding', index, embedding };
    });
    const tokens = countTokens(inputs);
    send(res, 200, { object: 'list', data, model: body.model, usage: { prompt_tokens: tokens, total_tokens: tokens } });
  };

  const server = createServer((req, res) => {
    open.add(res);
    res.on('close', () => open.delete(res));
    void (async () => {
      const raw = await readBody(req);
      let body: Record<string, unknown> | undefined;
      try {
        body = raw ? (JSON.parse(raw) as Record<string, unknown>) : undefined;
      } catch {
        body = undefined;
      }
      const path = (req.url ?? '').split('?')[0];
      requests.push({ method: req.method ?? '', path, headers: { ...req.headers }, body });
      if (!authorised(req, res)) return;
      if (req.method === 'POST' && path === '/v1/chat/completions') {
        if (!body) return send(res, 400, openAiError('We could not parse the JSON body of your request.', 'invalid_request_error', null));
        return chat(req, res, body);
      }
      if (req.method === 'POST' && path === '/v1/embeddings' && body) return embeddings(res, body);
      if (req.method === 'GET' && path === '/v1/models') {
        return send(res, 200, { object: 'list', data: models.map((id) => ({ id, object: 'model', created: 1715367049, owned_by: 'system' })) });
      }
      send(res, 404, openAiError(`Invalid URL (${req.method} ${path})`, 'invalid_request_error', null));
    })();
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const port = (server.address() as AddressInfo).port;

  return {
    url: `http://127.0.0.1:${port}`,
    baseUrl: `http://127.0.0.1:${port}/v1`,
    requests,
    openConnections: () => open.size,
    unsentBytes: () => [...open].reduce((sum, res) => sum + res.writableLength, 0),
    enqueue: (...scenarios) => queue.push(...scenarios),
    setPersistent: (scenario) => {
      persistent = scenario;
    },
    chatRequests: () => requests.filter((r) => r.path === '/v1/chat/completions').length,
    setValidKeys: (keys) => {
      validKeys = new Set(keys);
    },
    setResponseDelayMs: (ms) => {
      responseDelayMs = ms;
    },
    holdAnswers: () => {
      let release: () => void = () => undefined;
      gate = new Promise<void>((resolve) => (release = resolve));
      return () => {
        gate = undefined;
        release();
      };
    },
    heldRequests: () => held,
    abortedChats: () => abortedChats,
    rateLimitKey: (key, retryAfterSeconds) => {
      if (retryAfterSeconds === undefined) rateLimitedKeys.delete(key);
      else rateLimitedKeys.set(key, retryAfterSeconds);
    },
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Waits `ms`, or less when the caller goes away first (an aborted request leaves no timer behind). */
function pause(ms: number, res: ServerResponse): Promise<void> {
  if (res.destroyed) return Promise.resolve();
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      res.off('close', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    res.on('close', done);
  });
}

/** A tool call for the first tool, when the request has tools and its last message is no tool result. */
function toolCallFor(body: Record<string, unknown>): { id: string; type: 'function'; function: { name: string; arguments: string } } | undefined {
  type Tool = { function?: { name?: string; parameters?: { properties?: Record<string, { type?: string }> } } };
  const tools = Array.isArray(body.tools) ? (body.tools as unknown[]) : [];
  const first = tools.find((tool): tool is Tool => typeof tool === 'object' && tool !== null && typeof (tool as Tool).function === 'object' && (tool as Tool).function !== null);
  const messages = body.messages as Array<{ role?: string } | null>;
  if (!first || body.tool_choice === 'none' || messages[messages.length - 1]?.role === 'tool') return undefined;
  const fn = first.function ?? {};
  const properties = typeof fn.parameters?.properties === 'object' && fn.parameters.properties !== null ? fn.parameters.properties : {};
  const input = Object.fromEntries(Object.entries(properties).map(([name, property]) => [name, property?.type === 'number' || property?.type === 'integer' ? 1 : `example ${name}`]));
  return { id: `call_${randomUUID().replace(/-/g, '').slice(0, 24)}`, type: 'function', function: { name: typeof fn.name === 'string' ? fn.name : '', arguments: JSON.stringify(input) } };
}

/** After a tool result, the model reports what the tool said. */
function toolResultReply(body: Record<string, unknown>): string[] | undefined {
  const messages = body.messages as Array<{ role?: string; content?: unknown } | null>;
  const last = messages[messages.length - 1];
  if (last?.role !== 'tool') return undefined;
  const said = typeof last.content === 'string' ? last.content : JSON.stringify(last.content);
  return `The tool said: ${said}`.split(/(?<= )/);
}

function inThree(text: string): string[] {
  const third = Math.ceil(text.length / 3);
  return [text.slice(0, third), text.slice(third, 2 * third), text.slice(2 * third)].filter((piece) => piece !== '');
}
