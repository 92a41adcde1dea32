import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { buildReply, streamEvents } from './fake-gemini.reply';
import { exchangeAssertion } from './fake-gemini.token';
import { FAKE_GEMINI_API_KEY, type FakeGemini, type FakeGeminiOptions, type FakeGeminiScenario, type GeminiWireResponse, type RecordedGeminiRequest } from './fake-gemini.types';
import { validateGenerateContent } from './fake-gemini.validation';
import { apiKeyInvalidBody, dailyQuotaBody, errorBody, rateLimitBody, sseData } from './fake-gemini.wire';

const AUTO: FakeGeminiScenario = { kind: 'auto' };
const DEFAULT_EVENTS_BEFORE_FAILURE = 1;
/** `/v1beta/models/{model}:{method}` or `/v1/…` (AI Studio serves both) or `/v1/projects/{p}/locations/{l}/publishers/google/models/{model}:{method}` (Vertex). */
const GEMINI_PATH = /^\/v1(?:beta)?\/models\/([^/:]+):([A-Za-z]+)$/;
const VERTEX_PATH = /^\/v1\/projects\/([^/]+)\/locations\/([^/]+)\/publishers\/google\/models\/([^/:]+):([A-Za-z]+)$/;

/** A fake Gemini API (AI Studio and Vertex paths, plus a Google-style token endpoint) on 127.0.0.1, port 0. */
export async function startFakeGemini(options: FakeGeminiOptions = {}): Promise<FakeGemini> {
  const validKeys = new Set(options.validApiKeys ?? [FAKE_GEMINI_API_KEY]);
  const requests: RecordedGeminiRequest[] = [];
  const issuedTokens: string[] = [];
  const validTokens = new Set<string>();
  const signatures = new Set<string>();
  let scenario = options.scenario ?? AUTO;
  let remainingUses = Infinity;
  let tokenUri = '';

  const nextScenario = (): FakeGeminiScenario => {
    const current = scenario;
    remainingUses -= 1;
    if (remainingUses <= 0) {
      scenario = AUTO;
      remainingUses = Infinity;
    }
    return current;
  };
  const pause = (): Promise<void> => new Promise((resolve) => (options.eventDelayMs ? setTimeout(resolve, options.eventDelayMs).unref() : setImmediate(resolve)));

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const rawBody = await readBody(req);
    const headers = flatHeaders(req);
    const url = new URL(req.url ?? '/', 'http://fake');
    const sendJson = (status: number, body: string): void => {
      res.writeHead(status, { 'content-type': 'application/json; charset=UTF-8' });
      res.end(body);
    };

    if (req.method === 'POST' && url.pathname === '/token') {
      const form = new URLSearchParams(rawBody);
      requests.push({ method: 'POST', path: req.url ?? '', headers, body: Object.fromEntries(form), receivedAt: Date.now() });
      const answer = exchangeAssertion(form, options.vertexAccounts ?? [], tokenUri, options.tokenLifetimeSeconds ?? 3599);
      if (answer.token) {
        issuedTokens.push(answer.token);
        validTokens.add(answer.token);
      }
      return sendJson(answer.status, JSON.stringify(answer.body));
    }

    requests.push({ method: req.method ?? '', path: req.url ?? '', headers, body: parseJson(rawBody) ?? rawBody, receivedAt: Date.now() });
    const gemini = GEMINI_PATH.exec(url.pathname);
    const vertex = VERTEX_PATH.exec(url.pathname);
    if (req.method !== 'POST' || (!gemini && !vertex)) return sendJson(404, errorBody(404, `The requested URL ${url.pathname.slice(0, 200)} was not found on this server.`));
    const [model, method] = gemini ? [gemini[1], gemini[2]] : [vertex?.[3] ?? '', vertex?.[4] ?? ''];
    const credential = gemini ? (headers['x-goog-api-key'] ?? '') : (headers.authorization ?? '').replace(/^Bearer /, '');
    if (scenario.kind === 'echo_key') {
      const current = nextScenario() as Extract<FakeGeminiScenario, { kind: 'echo_key' }>;
      return sendJson(400, errorBody(400, current.message(credential)));
    }
    if (gemini && !validKeys.has(credential)) return sendJson(400, apiKeyInvalidBody());
    if (vertex && !validTokens.has(credential)) {
      return sendJson(401, errorBody(401, 'Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential.'));
    }
    if (method === 'batchEmbedContents' || method === 'predict') return answerEmbeddings(method, parseJson(rawBody), sendJson);
    if (method !== 'generateContent' && method !== 'streamGenerateContent') return sendJson(404, errorBody(404, `Method ${method} not found.`));
    const stream = method === 'streamGenerateContent';
    if (stream && url.searchParams.get('alt') !== 'sse') return sendJson(400, errorBody(400, 'This fake serves streams as SSE only: add ?alt=sse.'));
    const validation = validateGenerateContent(parseJson(rawBody), model, signatures);
    if (!validation.ok) return sendJson(400, errorBody(400, validation.message));

    const current = nextScenario();
    if (current.kind === 'http_error') return sendHttpError(current, model, sendJson);
    if (current.kind === 'huge_error_body') return sendJson(500, errorBody(500, 'e'.repeat(current.chars)));
    if (current.kind === 'stream_cut' && !stream) return void req.socket.destroy();
    const reply = buildReply(validation.request, model, current, (signature) => signatures.add(signature));
    if (!stream) {
      if (current.kind === 'invalid_json') {
        res.writeHead(200, { 'content-type': 'application/json; charset=UTF-8' });
        return void res.end('{"candidates": [{"content": {"parts": [{"te');
      }
      return sendJson(200, JSON.stringify(reply, null, 2));
    }
    res.writeHead(200, { 'content-type': 'text/event-stream', 'x-content-type-options': 'nosniff' });
    await writeStream(res, streamEvents(reply), current, pause, credential);
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
  const url = `http://127.0.0.1:${port}`;
  tokenUri = `${url}/token`;

  return {
    url,
    tokenUri,
    requests,
    issuedTokens,
    openConnections: () => sockets.size,
    setScenario(next: FakeGeminiScenario, times?: number): void {
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

function sendHttpError(scenario: Extract<FakeGeminiScenario, { kind: 'http_error' }>, model: string, sendJson: (status: number, body: string) => void): void {
  switch (scenario.error) {
    case 'rate_limit':
      return sendJson(429, rateLimitBody(model, scenario.retryDelaySeconds ?? 1));
    case 'daily_quota':
      return sendJson(429, dailyQuotaBody(model));
    case 'unavailable':
      return sendJson(503, errorBody(503, 'The model is overloaded. Please try again later.'));
    case 'internal':
      return sendJson(500, errorBody(500, 'An internal error has occurred. Please retry or report in https://developers.generativeai.google/guide/troubleshooting'));
  }
}

/** batchEmbedContents (AI Studio) or predict (Vertex): a deterministic 8-dimension vector per text. */
function answerEmbeddings(method: string, body: unknown, sendJson: (status: number, body: string) => void): void {
  const texts =
    method === 'batchEmbedContents'
      ? ((body as { requests?: Array<{ content?: { parts?: Array<{ text?: string }> } }> })?.requests ?? []).map((request) => request.content?.parts?.[0]?.text)
      : ((body as { instances?: Array<{ content?: string }> })?.instances ?? []).map((instance) => instance.content);
  if (texts.length === 0 || texts.some((text) => typeof text !== 'string' || text === '')) return sendJson(400, errorBody(400, '* BatchEmbedContentsRequest.requests: at least one request with text is required'));
  const vector = (text: string): number[] => Array.from({ length: 8 }, (_, i) => Number((((text.charCodeAt(i % text.length) * (i + 1)) % 97) / 97).toFixed(6)));
  if (method === 'batchEmbedContents') return sendJson(200, JSON.stringify({ embeddings: texts.map((text) => ({ values: vector(text as string) })) }));
  return sendJson(200, JSON.stringify({ predictions: texts.map((text) => ({ embeddings: { values: vector(text as string), statistics: { token_count: Math.ceil((text as string).length / 4), truncated: false } } })) }));
}

async function writeStream(res: ServerResponse, events: GeminiWireResponse[], scenario: FakeGeminiScenario, pause: () => Promise<void>, credential: string): Promise<void> {
  const failing = scenario.kind === 'stream_cut' || scenario.kind === 'stream_error_event' || scenario.kind === 'stream_end' || scenario.kind === 'stream_stall';
  const failAfter = failing ? (scenario.afterEvents ?? DEFAULT_EVENTS_BEFORE_FAILURE) : Infinity;
  for (const [i, event] of [...events, undefined].entries()) {
    if (res.destroyed) return;
    if (i === failAfter && scenario.kind === 'stream_cut') return void res.socket?.destroy();
    if (i === failAfter && scenario.kind === 'stream_end') return void res.end();
    if (i === failAfter && scenario.kind === 'stream_stall') return;
    if (i === failAfter && scenario.kind === 'stream_error_event') {
      const message = typeof scenario.message === 'function' ? scenario.message(credential) : (scenario.message ?? 'The model is overloaded. Please try again later.');
      const code = scenario.code ?? 503;
      return void res.end(sseData(JSON.parse(errorBody(code, message)) as object));
    }
    if (event === undefined) break;
    res.write(sseData(event));
    await pause();
  }
  res.end();
}

function flatHeaders(req: IncomingMessage): Record<string, string> {
  return Object.fromEntries(Object.entries(req.headers).flatMap(([name, value]) => (value === undefined ? [] : [[name, Array.isArray(value) ? value.join(', ') : value]])));
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
