// A fake Azure OpenAI resource (PROVIDERS.md §5): the dated surface
// `/openai/deployments/{deployment}/{chat/completions|embeddings}?api-version=…` and the v1
// surface `/openai/v1/…` (model = deployment), `api-key` or Entra bearer auth, Azure's
// content-filter annotations, errors and retry-after-ms. Port 0 on 127.0.0.1.
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import {
  DEFAULT_API_VERSIONS,
  DEFAULT_DEPLOYMENTS,
  FAKE_AZURE_API_KEY,
  type FakeAzureOpenAi,
  type FakeAzureOptions,
  type FakeAzureRequest,
  type FakeAzureScenario,
} from './fake-azure-openai.types';
import {
  ACCESS_DENIED,
  annotationChunk,
  azureError,
  CONTENT_FILTER_ERROR,
  DEPLOYMENT_NOT_FOUND,
  PROMPT_ANNOTATION_CHUNK,
  PROMPT_FILTER_RESULTS,
  rateLimitError,
  RESOURCE_NOT_FOUND,
  SAFE_RESULTS,
  TOKEN_REFUSED,
} from './fake-azure-openai.wire';

const RATE_LIMIT_HEADERS = { 'x-ratelimit-remaining-requests': '99', 'x-ratelimit-remaining-tokens': '99000', 'x-ratelimit-limit-requests': '100' };

interface Route {
  surface: 'dated' | 'v1';
  operation: 'chat/completions' | 'embeddings' | 'models';
  deployment?: string;
}

export async function startFakeAzureOpenAi(options: FakeAzureOptions = {}): Promise<FakeAzureOpenAi> {
  const deployments = options.deployments ?? DEFAULT_DEPLOYMENTS;
  const apiKeys = new Set(options.apiKeys ?? [FAKE_AZURE_API_KEY]);
  const apiVersions = new Set(options.apiVersions ?? DEFAULT_API_VERSIONS);
  const words = options.replyWords ?? ['Hello', ' from', ' Azure', '.'];
  const requests: FakeAzureRequest[] = [];
  const queue: FakeAzureScenario[] = [];
  const open = new Set<ServerResponse>();
  const sockets = new Set<Socket>();

  const send = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void => {
    const text = JSON.stringify(body);
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(text)), 'apim-request-id': randomUUID(), ...RATE_LIMIT_HEADERS, ...headers });
    res.end(text);
  };

  /** The caller's credential when it is accepted; the 401 is sent otherwise. */
  const authorise = (req: IncomingMessage, res: ServerResponse, route: Route): string | undefined => {
    const apiKey = header(req, 'api-key');
    if (apiKey !== undefined) {
      if (apiKeys.has(apiKey)) return apiKey;
      send(res, 401, ACCESS_DENIED);
      return undefined;
    }
    const authorization = header(req, 'authorization') ?? '';
    const token = authorization.startsWith('Bearer ') ? authorization.slice(7) : '';
    // The v1 surface also takes the api-key as a bearer token (the plain OpenAI client's way).
    if (token && (options.isValidToken?.(token) || (route.surface === 'v1' && apiKeys.has(token)))) return token;
    send(res, 401, token ? TOKEN_REFUSED : ACCESS_DENIED);
    return undefined;
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://fake');
    const raw = await readBody(req);
    const body = parseObject(raw);
    requests.push({ method: req.method ?? '', path: url.pathname, apiVersion: url.searchParams.get('api-version'), headers: flatHeaders(req), body });
    const route = routeOf(req.method ?? '', url.pathname);
    if (!route) return send(res, 404, RESOURCE_NOT_FOUND);
    if (route.surface === 'dated' && !apiVersions.has(url.searchParams.get('api-version') ?? '')) return send(res, 404, RESOURCE_NOT_FOUND);
    if (route.surface === 'v1' && url.searchParams.has('api-version')) return send(res, 400, azureError('BadRequest', 'api-version query parameter is not allowed when using /v1 path'));
    const credential = authorise(req, res, route);
    if (credential === undefined) return;
    if (route.operation === 'models') {
      return send(res, 200, { object: 'list', data: Object.keys(deployments).map((id) => ({ id, object: 'model', created: 1715367049, owned_by: 'system' })) });
    }
    const deployment = route.surface === 'dated' ? route.deployment ?? '' : typeof body?.model === 'string' ? body.model : '';
    const model = deployments[deployment];
    if (!model) return send(res, 404, DEPLOYMENT_NOT_FOUND);
    if (!body) return send(res, 400, azureError('BadRequest', 'We could not parse the JSON body of your request.'));
    if (route.operation === 'embeddings') return embeddings(res, body, model);
    await chat(req, res, body, model, credential, queue.shift() ?? { kind: 'auto' });
  };

  const chat = async (req: IncomingMessage, res: ServerResponse, body: Record<string, unknown>, model: string, credential: string, scenario: FakeAzureScenario): Promise<void> => {
    if (!Array.isArray(body.messages) || body.messages.length === 0) {
      return send(res, 400, { error: { message: "'messages' is a required property", type: 'invalid_request_error', param: 'messages', code: null } });
    }
    switch (scenario.kind) {
      case 'hang':
        return;
      case 'content_filter_prompt':
        return send(res, 400, CONTENT_FILTER_ERROR);
      case 'rate_limit':
        return send(res, 429, rateLimitError(Math.ceil(scenario.retryAfterMs / 1000)), {
          'retry-after-ms': String(scenario.retryAfterMs),
          'retry-after': String(Math.ceil(scenario.retryAfterMs / 1000)),
          'x-ratelimit-remaining-requests': '0',
        });
      case 'status':
        return send(res, scenario.status, azureError(scenario.code ?? String(scenario.status), scenario.message ?? `injected ${scenario.status}`));
      case 'echo_key':
        return send(res, scenario.status, azureError(String(scenario.status), `Access denied for credential ${credential}.`));
    }
    const id = `chatcmpl-${randomUUID().replace(/-/g, '').slice(0, 29)}`;
    const created = Math.floor(Date.now() / 1000);
    const toolCall = wantsToolCall(body) ? { id: `call_${randomUUID().replace(/-/g, '').slice(0, 24)}`, name: firstToolName(body) } : undefined;
    const filtered = scenario.kind === 'content_filter_output';
    const promptTokens = Math.max(1, Math.ceil(JSON.stringify(body.messages).length / 4));
    const usage = { completion_tokens: words.length, prompt_tokens: promptTokens, total_tokens: promptTokens + words.length, prompt_tokens_details: { cached_tokens: 0 }, completion_tokens_details: { reasoning_tokens: 0 } };
    const finishReason = filtered ? 'content_filter' : toolCall ? 'tool_calls' : 'stop';
    if (body.stream !== true) {
      const message = toolCall
        ? { role: 'assistant', content: null, refusal: null, tool_calls: [{ id: toolCall.id, type: 'function', function: { name: toolCall.name, arguments: '{"location":"Paris"}' } }] }
        : { role: 'assistant', content: filtered ? words[0] : words.join(''), refusal: null };
      const contentFilterResults = filtered ? { ...SAFE_RESULTS, violence: { filtered: true, severity: 'high' } } : SAFE_RESULTS;
      return send(res, 200, {
        choices: [{ content_filter_results: contentFilterResults, finish_reason: finishReason, index: 0, logprobs: null, message }],
        created,
        id,
        model,
        object: 'chat.completion',
        prompt_filter_results: PROMPT_FILTER_RESULTS,
        system_fingerprint: 'fp_fakeazure',
        usage,
      });
    }
    const includeUsage = (body.stream_options as { include_usage?: unknown } | undefined)?.include_usage === true;
    const chunk = (delta: Record<string, unknown>, finish: string | null, results: object = SAFE_RESULTS): Record<string, unknown> => ({
      choices: [{ content_filter_results: results, delta, finish_reason: finish, index: 0, logprobs: null }],
      created,
      id,
      model,
      object: 'chat.completion.chunk',
      system_fingerprint: 'fp_fakeazure',
      ...(includeUsage ? { usage: null } : {}),
    });
    const events: unknown[] = [PROMPT_ANNOTATION_CHUNK, chunk({ content: '', refusal: null, role: 'assistant' }, null, {})];
    if (toolCall) {
      events.push(chunk({ tool_calls: [{ index: 0, id: toolCall.id, type: 'function', function: { name: toolCall.name, arguments: '' } }] }, null));
      for (const piece of ['{"loca', 'tion":"Paris"}']) events.push(chunk({ tool_calls: [{ index: 0, function: { arguments: piece } }] }, null));
    } else {
      for (const [index, word] of (filtered ? words.slice(0, 1) : words).entries()) {
        events.push(chunk({ content: word }, null));
        if (scenario.kind === 'async_filter' && index === 1) events.push(annotationChunk(null, 12));
      }
    }
    if (filtered) events.push(annotationChunk('content_filter', 24));
    else events.push(chunk({}, finishReason, {}));
    if (scenario.kind === 'async_filter') events.push(annotationChunk(null, 48));
    if (includeUsage) events.push({ choices: [], created, id, model, object: 'chat.completion.chunk', system_fingerprint: 'fp_fakeazure', usage });
    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', 'apim-request-id': randomUUID(), ...RATE_LIMIT_HEADERS });
    for (let i = 0; i < events.length; i++) {
      if (res.destroyed) return;
      if (scenario.kind === 'cut_after_chunks' && i === scenario.afterChunks) {
        req.socket.destroy();
        return;
      }
      if (scenario.kind === 'stream_error_event' && i === scenario.afterChunks) {
        const error = { message: scenario.message ?? 'The server had an error while processing your request.', type: scenario.type === undefined ? 'server_error' : scenario.type, param: null, code: scenario.code ?? null };
        res.end(`data: ${JSON.stringify({ error })}\n\n`);
        return;
      }
      if (scenario.kind === 'slow_first_token' && i === 2) await sleep(scenario.delayMs);
      if (res.destroyed) return;
      await new Promise<void>((resolve) => res.write(`data: ${JSON.stringify(events[i])}\n\n`, () => resolve()));
      if (options.chunkDelayMs) await sleep(options.chunkDelayMs);
    }
    res.end('data: [DONE]\n\n');
  };

  const embeddings = (res: ServerResponse, body: Record<string, unknown>, model: string): void => {
    const inputs = Array.isArray(body.input) ? body.input : [body.input];
    const dims = typeof body.dimensions === 'number' ? body.dimensions : 8;
    const data = inputs.map((_, index) => {
      const vector = Array.from({ length: dims }, (_, i) => Number(((index + 1) * 0.01 + i * 0.001).toFixed(6)));
      const embedding = body.encoding_format === 'base64' ? Buffer.from(new Float32Array(vector).buffer).toString('base64') : vector;
      return { object: 'embedding', index, embedding };
    });
    const tokens = Math.max(1, Math.ceil(JSON.stringify(inputs).length / 4));
    send(res, 200, { object: 'list', data, model, usage: { prompt_tokens: tokens, total_tokens: tokens } });
  };

  const server = createServer((req, res) => {
    open.add(res);
    res.on('close', () => open.delete(res));
    handle(req, res).catch(() => res.destroy());
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    enqueue: (...scenarios) => queue.push(...scenarios),
    openResponses: () => open.size,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

function routeOf(method: string, path: string): Route | undefined {
  const dated = /^\/openai\/deployments\/([^/]+)\/(chat\/completions|embeddings)$/.exec(path);
  if (dated && method === 'POST') return { surface: 'dated', operation: dated[2] as Route['operation'], deployment: decodeURIComponent(dated[1]) };
  const v1 = /^\/openai\/v1\/(chat\/completions|embeddings|models)$/.exec(path);
  if (!v1) return undefined;
  if ((v1[1] === 'models') !== (method === 'GET')) return undefined;
  return { surface: 'v1', operation: v1[1] as Route['operation'] };
}

function wantsToolCall(body: Record<string, unknown>): boolean {
  const messages = body.messages as Array<{ role?: unknown }>;
  return Array.isArray(body.tools) && body.tools.length > 0 && body.tool_choice !== 'none' && messages[messages.length - 1]?.role !== 'tool';
}

function firstToolName(body: Record<string, unknown>): string {
  const [tool] = body.tools as Array<{ function?: { name?: unknown } }>;
  return typeof tool?.function?.name === 'string' ? tool.function.name : 'tool';
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function flatHeaders(req: IncomingMessage): Record<string, string> {
  return Object.fromEntries(Object.entries(req.headers).map(([name, value]) => [name, Array.isArray(value) ? value.join(', ') : (value ?? '')]));
}

async function readBody(req: IncomingMessage): Promise<string> {
  const parts: Buffer[] = [];
  for await (const part of req) parts.push(part as Buffer);
  return Buffer.concat(parts).toString('utf8');
}

function parseObject(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
