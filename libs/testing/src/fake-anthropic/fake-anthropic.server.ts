import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { buildReply } from './fake-anthropic.reply';
import { streamEvents } from './fake-anthropic.stream';
import {
  FAKE_ANTHROPIC_API_KEY,
  type FakeAnthropic,
  type FakeAnthropicOptions,
  type FakeAnthropicScenario,
  type RecordedRequest,
} from './fake-anthropic.types';
import { validateMessagesRequest } from './fake-anthropic.validation';
import { ERROR_TYPE_BY_STATUS, anthropicId, errorBody, rateLimitHeaders, sseEvent } from './fake-anthropic.wire';
import { writeInPieces } from '../write-in-pieces';

const AUTO: FakeAnthropicScenario = { kind: 'auto' };
const DEFAULT_EVENTS_BEFORE_FAILURE = 3;

/** A fake Anthropic Messages API on 127.0.0.1 (port 0) that follows the published wire format. */
export async function startFakeAnthropic(options: FakeAnthropicOptions = {}): Promise<FakeAnthropic> {
  const validKeys = new Set(options.validApiKeys ?? [FAKE_ANTHROPIC_API_KEY]);
  const requests: RecordedRequest[] = [];
  let scenario = options.scenario ?? AUTO;
  let remainingUses = Infinity;

  const nextScenario = (): FakeAnthropicScenario => {
    const current = scenario;
    remainingUses -= 1;
    if (remainingUses <= 0) {
      scenario = AUTO;
      remainingUses = Infinity;
    }
    return current;
  };

  const pause = (): Promise<void> =>
    new Promise((resolve) => (options.eventDelayMs ? setTimeout(resolve, options.eventDelayMs).unref() : setImmediate(resolve)));

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const requestId = anthropicId('req');
    const rawBody = await readBody(req);
    const headers = flatHeaders(req);
    requests.push({ method: req.method ?? '', path: req.url ?? '', headers, body: parseJson(rawBody) ?? rawBody });

    const sendError = (status: number, message: string, extraHeaders: Record<string, string> = {}): void => {
      const type = ERROR_TYPE_BY_STATUS[status] ?? 'api_error';
      res.writeHead(status, {
        'content-type': 'application/json',
        'request-id': requestId,
        ...rateLimitHeaders(Date.now(), status === 429),
        ...extraHeaders,
      });
      res.end(errorBody(type, message, requestId));
    };

    if (req.method !== 'POST' || req.url?.split('?')[0] !== '/v1/messages') return sendError(404, 'Not found');
    // Anthropic's SDKs send the API key as x-api-key, recent ones as Authorization: Bearer.
    const apiKey = headers['x-api-key'] ?? (headers.authorization?.startsWith('Bearer ') ? headers.authorization.slice(7) : undefined);
    if (scenario.kind === 'echo_key') {
      const current = nextScenario() as Extract<FakeAnthropicScenario, { kind: 'echo_key' }>;
      return sendError(current.status, current.message(apiKey ?? ''));
    }
    if (!apiKey || !validKeys.has(apiKey)) return sendError(401, 'invalid x-api-key');
    if (!headers['anthropic-version']) return sendError(400, 'anthropic-version: header is required');
    const validation = validateMessagesRequest(parseJson(rawBody));
    if (!validation.ok) return sendError(400, validation.message);

    const current = nextScenario();
    if (current.kind === 'http_error') {
      const retryAfter: Record<string, string> =
        current.status === 429 ? { 'retry-after': String(current.retryAfterSeconds ?? 1) } : {};
      return sendError(current.status, current.message ?? defaultErrorMessage(current.status), retryAfter);
    }
    if (current.kind === 'huge_error_body') return sendError(current.status, 'e'.repeat(current.chars));
    if (current.kind === 'stream_cut' && !validation.request.stream) {
      req.socket.destroy();
      return;
    }
    const message = buildReply(validation.request, current, options.cacheTokens);
    const okHeaders = { 'request-id': requestId, ...rateLimitHeaders(Date.now(), false) };
    if (!validation.request.stream) {
      res.writeHead(200, { 'content-type': 'application/json', ...okHeaders });
      if (current.kind === 'invalid_json') return void res.end('{"id":"msg_broken","type":"message","content":[{"type":"te');
      if (current.kind === 'oversized_answer') {
        const text = JSON.stringify({ ...message, content: [{ type: 'text', text: '' }] });
        const [head, tail] = text.split('"text":""');
        await writeInPieces(res, `${head}"text":"${'x'.repeat(Math.max(0, current.bytes - text.length))}"${tail}`);
        return void res.end();
      }
      res.end(JSON.stringify(message));
      return;
    }
    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', ...okHeaders });
    if (current.kind === 'huge_sse_line') {
      await writeInPieces(res, sseEvent(streamEvents(message)[0]));
      const delta = { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'x'.repeat(current.chars) } };
      await writeInPieces(res, sseEvent(delta));
      return void res.end();
    }
    await writeStream(res, streamEvents(message), current, pause, apiKey);
  };

  const server = createServer((req, res) => {
    handle(req, res).catch(() => res.destroy());
  });
  const sockets = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    openConnections: () => sockets.size,
    setScenario(next: FakeAnthropicScenario, times?: number): void {
      scenario = next;
      remainingUses = times ?? Infinity;
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}

async function writeStream(
  res: ServerResponse,
  events: Array<{ type: string }>,
  scenario: FakeAnthropicScenario,
  pause: () => Promise<void>,
  apiKey: string,
): Promise<void> {
  const failAfter =
    scenario.kind === 'stream_cut' || scenario.kind === 'stream_error_event' || scenario.kind === 'stream_end' || scenario.kind === 'stream_stall'
      ? (scenario.afterEvents ?? DEFAULT_EVENTS_BEFORE_FAILURE)
      : scenario.kind === 'no_message_stop'
        ? events.length - 1
        : Infinity;
  for (const [i, event] of events.entries()) {
    if (res.destroyed) return;
    if (i === failAfter && scenario.kind === 'stream_cut') {
      res.socket?.destroy();
      return;
    }
    if (i === failAfter && (scenario.kind === 'stream_end' || scenario.kind === 'no_message_stop')) return void res.end();
    if (i === failAfter && scenario.kind === 'stream_stall') return; // silent; the connection stays open
    if (i === failAfter && scenario.kind === 'stream_error_event') {
      const message = typeof scenario.message === 'function' ? scenario.message(apiKey) : (scenario.message ?? 'Overloaded');
      const error = { type: scenario.errorType ?? 'overloaded_error', message };
      res.end(sseEvent({ type: 'error', error } as { type: string }));
      return;
    }
    res.write(sseEvent(event));
    await pause();
  }
  res.end();
}

function defaultErrorMessage(status: number): string {
  if (status === 429) return 'This request would exceed the rate limit for your organization of 50 requests per minute.';
  if (status === 529) return 'Overloaded';
  return 'Internal server error';
}

function flatHeaders(req: IncomingMessage): Record<string, string> {
  return Object.fromEntries(
    Object.entries(req.headers).flatMap(([name, value]) =>
      value === undefined ? [] : [[name, Array.isArray(value) ? value.join(', ') : value]],
    ),
  );
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}
