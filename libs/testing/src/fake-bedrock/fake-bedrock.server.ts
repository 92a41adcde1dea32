import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { buildReply, converseResponse, streamEvents } from './fake-bedrock.reply';
import { verifySigV4, type Credentials } from './fake-bedrock.signature';
import {
  FAKE_BEDROCK_API_KEY,
  FAKE_BEDROCK_CREDENTIALS,
  FAKE_BEDROCK_REGION,
  type FakeBedrock,
  type FakeBedrockOptions,
  type FakeBedrockScenario,
  type RecordedBedrockRequest,
} from './fake-bedrock.types';
import { validateConverse } from './fake-bedrock.validation';
import { ERROR_TYPE_BY_STATUS, errorHeaders, eventFrame, exceptionFrame, requestId } from './fake-bedrock.wire';
import { embeddingAnswer } from './fake-bedrock.embeddings';

const AUTO: FakeBedrockScenario = { kind: 'auto' };
const MODEL_PATH = /^\/model\/([^/]+)\/(converse|converse-stream|invoke)$/;

/**
 * A fake Bedrock Runtime on 127.0.0.1 (port 0): Converse, ConverseStream (frames encoded with the
 * AWS event-stream codec) and InvokeModel for Titan / Cohere embeddings. Every request's SigV4
 * signature is recomputed with the AWS signer from the known credentials (or its bearer API key
 * checked); a mismatch gets Bedrock's 403.
 */
export async function startFakeBedrock(options: FakeBedrockOptions = {}): Promise<FakeBedrock> {
  const credentials: Credentials[] = options.credentials ?? [FAKE_BEDROCK_CREDENTIALS];
  const apiKeys = new Set(options.apiKeys ?? [FAKE_BEDROCK_API_KEY]);
  const region = options.region ?? FAKE_BEDROCK_REGION;
  const requests: RecordedBedrockRequest[] = [];
  let scenario = options.scenario ?? AUTO;
  let remainingUses = Infinity;
  let streamsWritten = 0;

  const nextScenario = (): FakeBedrockScenario => {
    const current = scenario;
    remainingUses -= 1;
    if (remainingUses <= 0) {
      scenario = AUTO;
      remainingUses = Infinity;
    }
    return current;
  };

  const pause = (): Promise<void> =>
    new Promise((resolve) => (options.frameDelayMs ? setTimeout(resolve, options.frameDelayMs).unref() : setImmediate(resolve)));

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const id = requestId();
    const rawBody = await readBody(req);
    const headers = flatHeaders(req);
    const path = req.url ?? '';
    const match = MODEL_PATH.exec(path.split('?')[0]);
    const record: RecordedBedrockRequest = {
      path,
      modelId: match ? safeDecode(match[1]) : '',
      operation: match?.[2] ?? '',
      headers,
      body: parseJson(rawBody) ?? rawBody,
      auth: '',
    };
    requests.push(record);

    const sendError = (status: number, errorType: string, message: string): void => {
      res.writeHead(status, errorHeaders(errorType, id));
      res.end(JSON.stringify({ message }));
    };

    if (req.method !== 'POST' || !match) return sendError(404, 'UnknownOperationException', 'Not found');
    const auth = await authenticate({ method: req.method, url: path, headers, body: rawBody });
    record.auth = auth.ok ? auth.how : auth.errorType;
    if (scenario.kind === 'echo_secret') {
      const current = nextScenario() as Extract<FakeBedrockScenario, { kind: 'echo_secret' }>;
      const bearer = auth.ok && auth.how === 'bearer';
      const secret = bearer ? (headers['authorization'] ?? '').slice('Bearer '.length) : credentialText(credentials[0]);
      return sendError(current.status, current.errorType, current.message(secret));
    }
    if (!auth.ok) return sendError(403, auth.errorType, auth.message);
    const body = parseJson(rawBody);
    if (body === undefined) return sendError(400, 'ValidationException', 'Malformed input request, please reformat your input and try again.');

    const current = nextScenario();
    if (current.kind === 'http_error') {
      return sendError(current.status, current.errorType ?? ERROR_TYPE_BY_STATUS[current.status] ?? 'InternalServerException', current.message ?? defaultMessage(current.status));
    }
    if (current.kind === 'raw') {
      const streamed = match[2] === 'converse-stream';
      res.writeHead(200, { 'content-type': current.contentType ?? (streamed ? 'application/vnd.amazon.eventstream' : 'application/json'), 'x-amzn-requestid': id });
      return void res.end(current.body);
    }
    if (match[2] === 'invoke') {
      const answer = embeddingAnswer(record.modelId, body);
      if (!answer.ok) return sendError(answer.status, answer.errorType, answer.message);
      res.writeHead(200, { 'content-type': 'application/json', 'x-amzn-requestid': id, 'x-amzn-bedrock-input-token-count': String(answer.inputTokens) });
      return void res.end(JSON.stringify(answer.body));
    }
    const validation = validateConverse(body);
    if (!validation.ok) return sendError(400, 'ValidationException', validation.message);
    const reply = buildReply(body as Parameters<typeof buildReply>[0], current);
    if (match[2] === 'converse') {
      res.writeHead(200, { 'content-type': 'application/json', 'x-amzn-requestid': id });
      return void res.end(JSON.stringify(converseResponse(reply)));
    }
    res.writeHead(200, { 'content-type': 'application/vnd.amazon.eventstream', 'x-amzn-requestid': id });
    await writeStream(res, streamEvents(reply), current, pause, credentials[0]);
    streamsWritten += 1;
  };

  const authenticate = async (
    request: Parameters<typeof verifySigV4>[0],
  ): Promise<{ ok: true; how: 'sigv4' | 'bearer' } | { ok: false; errorType: string; message: string }> => {
    const authorization = request.headers['authorization'] ?? '';
    if (authorization.startsWith('Bearer ')) {
      return apiKeys.has(authorization.slice('Bearer '.length))
        ? { ok: true, how: 'bearer' }
        : { ok: false, errorType: 'UnrecognizedClientException', message: 'Invalid API Key format: Must start with pre-defined prefix' };
    }
    const verdict = await verifySigV4(request, credentials, region, 'bedrock');
    return verdict.ok ? { ok: true, how: 'sigv4' } : verdict;
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
    region,
    requests,
    openConnections: () => sockets.size,
    streamsWritten: () => streamsWritten,
    setScenario(next: FakeBedrockScenario, times?: number): void {
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
  events: Array<[string, object]>,
  scenario: FakeBedrockScenario,
  pause: () => Promise<void>,
  credentials: Credentials,
): Promise<void> {
  const failAfter = scenario.kind === 'stream_exception' ? (scenario.afterEvents ?? 0) : scenario.kind === 'stream_cut' || scenario.kind === 'stream_stall' ? scenario.afterEvents : Infinity;
  for (const [i, [eventType, payload]] of events.entries()) {
    if (res.destroyed) return;
    if (i === failAfter && scenario.kind === 'stream_cut') return void res.socket?.destroy();
    if (i === failAfter && scenario.kind === 'stream_stall') return; // silent; the connection stays open
    if (i === failAfter && scenario.kind === 'stream_exception') {
      const message =
        typeof scenario.message === 'function'
          ? scenario.message(credentialText(credentials))
          : (scenario.message ?? 'The model is receiving too many requests. Please try again later.');
      return void res.end(exceptionFrame(scenario.exceptionType, message));
    }
    res.write(eventFrame(eventType, payload));
    await pause();
  }
  res.end();
}

/** Every part of AWS credentials, as a provider that echoes them would show them. */
function credentialText(credentials: Credentials): string {
  return [credentials.accessKeyId, credentials.secretAccessKey, credentials.sessionToken ?? ''].join(' ');
}

function defaultMessage(status: number): string {
  if (status === 429) return 'Too many requests, please wait before trying again.';
  if (status === 503) return 'Bedrock is unable to process your request.';
  return 'The server encountered an internal error while processing the request.';
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

function flatHeaders(req: IncomingMessage): Record<string, string> {
  return Object.fromEntries(
    Object.entries(req.headers).flatMap(([name, value]) => (value === undefined ? [] : [[name, Array.isArray(value) ? value.join(', ') : value]])),
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
