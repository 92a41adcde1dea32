import type { IncomingMessage } from 'node:http';
import type { FastifyInstance, FastifyReply, FastifyRequest, onRequestHookHandler } from 'fastify';
import { checkJsonBody } from '@ai-gateway/json-guard';
import { RequestFormat, type ApiKey, type CompletionRequest, type CompletionResponse, type CompletionStreamEvent, type Header, type RequestMeta, type RouterServiceClient } from '@ai-gateway/proto';
import { contextFromHeaders, endSpan, metadataWithContext, SpanKind, startSpan, type Span } from '@ai-gateway/telemetry';
import type { ClientReadableStream, ClientUnaryCall, Metadata, ServiceError } from '@grpc/grpc-js';
import type { Logger } from 'pino';
import type { ApiKeyAuthenticator } from './api-key.authenticator';
import { INTERNAL_FAILURE_CODES, type InternalFailure, type RecordedRequest, type RejectedRequestRecorder } from './rejected-request.recorder';
import { validateChatRequest, validateEmbeddingsRequest } from './chat-request.validation';
import { httpError, httpErrorFromGrpc, type HttpError } from './openai-http-error';
import { sendError } from './http-reply';
import { validateMessagesRequest } from './messages-request.validation';
import { estimateInputTokens } from './count-tokens.estimate';
import { anthropicStreamWire, openAiStreamWire, type StreamWire } from './sse-wire';
import { gatewayCredential, isAnthropicFormat } from './wire-format';
import { isModelAllowed } from './model-allow-list';
import type { AdmissionGate } from './admission/admission.gate';
import type { DrainCuts } from './drain-cuts';
import { requestedOutputCap } from '@ai-gateway/routing';
import { identifyRequest, type RequestIds } from './request-id';
import { interruptedStreamUsage } from './interrupted-stream.usage';

const PASSED_HEADERS = ['anthropic-beta', 'anthropic-version'];
const DEADLINE_HEADER = 'x-gateway-timeout-ms';

type UnaryAnswer = (error: ServiceError | null, response?: CompletionResponse) => void;

/**
 * The router's hot-path RPCs on the grpc-js client itself, not through Nest's Observables: a
 * unary call answers one callback, and the stream is a readable that can be paused.
 */
export interface RouterCalls {
  chatCompletion(request: CompletionRequest, metadata: Metadata, answer: UnaryAnswer): ClientUnaryCall;
  embeddings(request: CompletionRequest, metadata: Metadata, answer: UnaryAnswer): ClientUnaryCall;
  streamChatCompletion(request: CompletionRequest, metadata: Metadata): ClientReadableStream<CompletionStreamEvent>;
}

export interface CompletionsDeps {
  /** The router's other RPCs (the model list), through Nest's client. */
  router: RouterServiceClient;
  routerCalls: RouterCalls;
  auth: ApiKeyAuthenticator;
  logger: Logger;
  requestTimeoutMs: number;
  rejections: RejectedRequestRecorder;
  /** Run when a drain's timeout passed: open requests are answered 503 and open streams end with an in-band `gateway_draining` error. */
  drainCuts: DrainCuts;
  /** Budgets and limits of keys and teams, checked before routing. */
  admission: AdmissionGate;
}

/** The OpenAI-compatible hot path: authenticate from memory, validate, forward the client's bytes. */
export function registerCompletionRoutes(app: FastifyInstance, deps: CompletionsDeps): void {
  const onRequest = authenticateFirst(deps);
  app.post('/v1/chat/completions', { onRequest }, (request, reply) => chat(deps, request, reply));
  app.post('/v1/embeddings', { onRequest }, (request, reply) => embeddings(deps, request, reply));
  app.get('/v1/models', { onRequest }, (request, reply) => models(deps, request, reply));
  // Anthropic's Messages API for Claude-native clients: errors, answers and streams in Anthropic's shapes.
  app.post('/v1/messages', { onRequest }, (request, reply) => messages(deps, request, reply));
  app.post('/v1/messages/count_tokens', { onRequest }, (request, reply) => countTokens(request, reply));
}

/** The body as JSON, or the 400 explaining why not (bad UTF-8, too deep, duplicate keys, syntax). */
function parseJson(raw: unknown): { value: unknown } | { error: HttpError } {
  if (!Buffer.isBuffer(raw) || raw.length === 0) return { error: httpError(400, 'The request body is empty; send a JSON object.', 'invalid_json') };
  const problem = checkJsonBody(raw);
  if (problem?.kind === 'invalid_utf8') return { error: httpError(400, 'The request body is not valid UTF-8.', 'invalid_json') };
  if (problem?.kind === 'too_deep') {
    return { error: httpError(400, `The request body nests deeper than the gateway's limit of ${problem.maxDepth} levels.`, 'limit_exceeded') };
  }
  if (problem?.kind === 'duplicate_key') {
    return { error: httpError(400, `The request body has the key '${problem.key}' more than once in one object.`, 'duplicate_key') };
  }
  try {
    return { value: JSON.parse(raw.toString('utf8')) };
  } catch {
    return { error: httpError(400, 'We could not parse the JSON body of your request.', 'invalid_json') };
  }
}

const authenticated = new WeakMap<IncomingMessage, ApiKey>();

/**
 * Runs before the body is read: a caller without a valid gateway key is answered 401 at once
 * and its connection closed, so an unauthenticated client can never make the gateway hold a body.
 */
function authenticateFirst(deps: CompletionsDeps): onRequestHookHandler {
  return (request, reply, done) => {
    const key = deps.auth.authenticate(gatewayCredential(request.headers));
    if (key) {
      authenticated.set(request.raw, key);
      return done();
    }
    const credential = gatewayCredential(request.headers);
    const expired = deps.auth.lookup(credential);
    const message = expired
      ? `This API key expired at ${expired.expiresAt}. Create a new gateway API key through the admin API.`
      : credential
        ? 'Incorrect API key provided. Create a gateway API key through the admin API.'
        : isAnthropicFormat(request.raw)
          ? "You didn't provide an API key. Send it as 'x-api-key: <key>' or 'Authorization: Bearer <key>'."
        : "You didn't provide an API key. Send it as 'Authorization: Bearer <key>'.";
    reply.header('connection', 'close');
    identifyRequest(request, reply);
    sendError(reply, httpError(401, message, 'invalid_api_key'));
  };
}

/** Whether the key may use the model; answers 403 when not. */
function modelAllowed(key: ApiKey, model: string, reply: FastifyReply): boolean {
  if (isModelAllowed(key.allowedModels, model)) return true;
  sendError(reply, httpError(403, `This API key may not use the model \`${model}\`.`, 'model_not_allowed', 'model'));
  return false;
}

function deadlineOf(deps: CompletionsDeps, request: FastifyRequest): number {
  const asked = Number(request.headers[DEADLINE_HEADER]);
  return Number.isFinite(asked) && asked > 0 ? Math.min(asked, deps.requestTimeoutMs) : deps.requestTimeoutMs;
}

function passedHeaders(request: FastifyRequest): Header[] {
  const out: Header[] = [];
  for (const name of PASSED_HEADERS) {
    const value = request.headers[name];
    if (typeof value === 'string') out.push({ name, value });
  }
  return out;
}

function routeHeaders(ids: RequestIds, route: { provider: string; model: string; attempts: number; headers: Header[] } | undefined): Record<string, string> {
  const headers: Record<string, string> = { 'x-request-id': ids.correlationId || ids.requestId, 'x-gateway-request-id': ids.requestId };
  if (ids.anthropic) headers['request-id'] = ids.requestId;
  if (!route) return headers;
  for (const header of route.headers) headers[header.name] = header.value;
  headers['x-gateway-provider'] = route.provider;
  headers['x-gateway-model'] = route.model;
  headers['x-gateway-attempts'] = String(route.attempts);
  return headers;
}

interface Admitted<T> extends RequestIds {
  key: ApiKey;
  model: string;
  request: T;
  body: Record<string, unknown>;
}

/** What every API call goes through before routing: request id, gateway key, JSON, validation, allowed model. */
function admit<T>(
  request: FastifyRequest,
  reply: FastifyReply,
  deps: CompletionsDeps,
  validate: (body: unknown) => { model: string; request: T } | { error: HttpError },
): Admitted<T> | undefined {
  const ids = identifyRequest(request, reply);
  const key = authenticated.get(request.raw) as ApiKey;
  const parsed = parseJson(request.body);
  if ('error' in parsed) {
    sendError(reply, parsed.error);
    return undefined;
  }
  const validated = validate(parsed.value);
  if ('error' in validated) {
    sendError(reply, validated.error);
    return undefined;
  }
  if (!modelAllowed(key, validated.model, reply)) return undefined;
  return { ...ids, key, model: validated.model, request: validated.request, body: parsed.value as Record<string, unknown> };
}

/** The key's and its team's budget and limits; false when the request was refused (answered here). */
async function withinLimits(
  deps: CompletionsDeps,
  admitted: Admitted<unknown>,
  operation: 'chat' | 'embeddings',
  deadlineMs: number,
  request: FastifyRequest,
  reply: FastifyReply,
): Promise<boolean> {
  if (!deps.admission.applies(admitted.key)) return true;
  const refusal = await deps.admission.check({ key: admitted.key, model: admitted.model, operation, body: admitted.body, requestId: admitted.requestId, deadlineMs });
  if (refusal) {
    sendError(reply, refusal);
    return false;
  }
  reply.raw.once('close', () => deps.admission.answered(admitted.key, admitted.requestId));
  return true;
}

/**
 * Whether the client left before its request was routed (while the handler read its body or it
 * waited for admission): nothing is routed then, and the usage event recorded here (499) releases
 * a reservation.
 */
function leftBeforeRouting(deps: CompletionsDeps, admitted: Admitted<unknown>, operation: 'chat' | 'embeddings', request: FastifyRequest): boolean {
  if (request.raw.socket && !request.raw.socket.destroyed) return false;
  const reservation = reservationOf(deps, admitted.key);
  deps.rejections.markRouted(request.raw);
  void deps.rejections.recordInternalFailure({
    requestId: admitted.requestId,
    correlationId: admitted.correlationId,
    apiKeyId: admitted.key.id,
    operation,
    model: admitted.model,
    stream: admitted.body.stream === true,
    httpStatus: 499,
    errorType: 'cancelled',
    startedAt: Date.now(),
    reserved: reservation.reserved === true,
    teamId: reservation.teamId,
  });
  return true;
}

/** Admitted against budgets or limits: the router marks the usage event, and spend settles from it. */
/** Whether ingress reserved the request's worst case, and against which team: the router copies both into the usage event spend settles from. */
function reservationOf(deps: CompletionsDeps, key: ApiKey): { reserved?: true; teamId?: string } {
  if (!deps.admission.applies(key)) return {};
  return key.teamId ? { reserved: true, teamId: key.teamId } : { reserved: true };
}

async function chat(deps: CompletionsDeps, request: FastifyRequest, reply: FastifyReply): Promise<void> {
  const admitted = admit(request, reply, deps, (body) => {
    const validated = validateChatRequest(body);
    return 'error' in validated ? validated : { model: validated.request.model, request: validated.request };
  });
  if (!admitted) return;
  const { requestId, correlationId, anthropic, key, model, request: chatRequest } = admitted;
  const deadlineMs = deadlineOf(deps, request);
  if (!(await withinLimits(deps, admitted, 'chat', deadlineMs, request, reply)) || leftBeforeRouting(deps, admitted, 'chat', request)) return;
  const stream = chatRequest.stream === true;
  const grpcRequest: RoutedRequest = {
    meta: {
      requestId,
      correlationId,
      apiKeyId: key.id,
      model,
      stream,
      includeUsage: chatRequest.stream_options?.include_usage === true,
      deadlineMs,
      maxOutputTokens: requestedOutputCap(chatRequest),
      ...reservationOf(deps, key),
    },
    body: request.body as Buffer,
    headers: passedHeaders(request),
  };
  deps.rejections.markRouted(request.raw);
  const traced = traceRequest(request, 'chat', model);
  if (!stream) return unary(deps, grpcRequest, { requestId, correlationId, anthropic }, reply, 'chat', traced);
  return streamChat(deps, grpcRequest, { requestId, correlationId, anthropic }, request, reply, traced);
}

async function embeddings(deps: CompletionsDeps, request: FastifyRequest, reply: FastifyReply): Promise<void> {
  const admitted = admit(request, reply, deps, (body) => {
    const validated = validateEmbeddingsRequest(body);
    return 'error' in validated ? validated : { model: validated.model, request: undefined };
  });
  if (!admitted) return;
  const { requestId, correlationId, anthropic, key, model } = admitted;
  const deadlineMs = deadlineOf(deps, request);
  if (!(await withinLimits(deps, admitted, 'embeddings', deadlineMs, request, reply)) || leftBeforeRouting(deps, admitted, 'embeddings', request)) return;
  const grpcRequest: RoutedRequest = {
    meta: { requestId, correlationId, apiKeyId: key.id, model, stream: false, includeUsage: false, deadlineMs, ...reservationOf(deps, key) },
    body: request.body as Buffer,
    headers: [],
  };
  deps.rejections.markRouted(request.raw);
  return unary(deps, grpcRequest, { requestId, correlationId, anthropic }, reply, 'embeddings', traceRequest(request, 'embeddings', model));
}

async function messages(deps: CompletionsDeps, request: FastifyRequest, reply: FastifyReply): Promise<void> {
  const admitted = admit(request, reply, deps, (body) => {
    const validated = validateMessagesRequest(body);
    return 'error' in validated ? validated : { model: validated.request.model, request: validated.request };
  });
  if (!admitted) return;
  const { requestId, correlationId, anthropic, key, model, request: messagesRequest } = admitted;
  const deadlineMs = deadlineOf(deps, request);
  // Budgets and limits as for chat completions: a Messages body has the max_tokens and messages the estimate reads.
  if (!(await withinLimits(deps, admitted, 'chat', deadlineMs, request, reply)) || leftBeforeRouting(deps, admitted, 'chat', request)) return;
  const stream = messagesRequest.stream === true;
  const grpcRequest: RoutedRequest = {
    meta: {
      requestId,
      correlationId,
      apiKeyId: key.id,
      model,
      stream,
      includeUsage: false,
      deadlineMs,
      format: RequestFormat.REQUEST_FORMAT_ANTHROPIC_MESSAGES,
      maxOutputTokens: requestedOutputCap(messagesRequest),
      ...reservationOf(deps, key),
    },
    body: request.body as Buffer,
    headers: passedHeaders(request),
  };
  deps.rejections.markRouted(request.raw);
  const traced = traceRequest(request, 'chat', model);
  if (!stream) return unary(deps, grpcRequest, { requestId, correlationId, anthropic }, reply, 'chat', traced);
  return streamChat(deps, grpcRequest, { requestId, correlationId, anthropic }, request, reply, traced, anthropicStreamWire);
}

/** Answered by the gateway itself with an estimate (count-tokens.estimate.ts): no provider call, no key, no cost. */
function countTokens(request: FastifyRequest, reply: FastifyReply): void {
  identifyRequest(request, reply);
  const parsed = parseJson(request.body);
  if ('error' in parsed) return sendError(reply, parsed.error);
  const validated = validateMessagesRequest(parsed.value, true);
  if ('error' in validated) return sendError(reply, validated.error);
  const key = authenticated.get(request.raw) as ApiKey;
  if (!modelAllowed(key, validated.request.model, reply)) return;
  void reply.code(200).header('content-type', 'application/json').send(JSON.stringify({ input_tokens: estimateInputTokens(validated.request) }));
}

/** A request as sent to the router: always with its meta. */
type RoutedRequest = CompletionRequest & { meta: RequestMeta };

/** Who and what of a routed request, for the usage events ingress records for it. */
function recordedRequestOf(grpcRequest: RoutedRequest, operation: 'chat' | 'embeddings', startedAt: number): RecordedRequest {
  const meta = grpcRequest.meta;
  return {
    requestId: meta.requestId,
    correlationId: meta.correlationId,
    apiKeyId: meta.apiKeyId,
    operation,
    model: meta.model,
    stream: meta.stream,
    startedAt,
    reserved: meta.reserved === true,
    teamId: meta.teamId,
  };
}

/**
 * What the client got of a stream the gateway ended after it started (the router gone, or the
 * drain's cut): 200 and content, so the event says 200 `stream_interrupted` with the content sent
 * (estimated), as the router records a stream cut after content.
 */
function interruptedStream(grpcRequest: RoutedRequest, startedAt: number, chunksSent: number): InternalFailure {
  const estimatedUsage = interruptedStreamUsage(chunksSent, grpcRequest.body.length);
  return { ...recordedRequestOf(grpcRequest, 'chat', startedAt), httpStatus: 200, errorType: 'stream_interrupted', ...(estimatedUsage ? { estimatedUsage } : {}) };
}

/**
 * The router never answered for this request: its usage event comes from here (de-duplicated by
 * id against the router's). A stream that had started says what its client got (interruptedStream).
 */
function recordIfInternal(
  deps: CompletionsDeps,
  grpcRequest: RoutedRequest,
  operation: 'chat' | 'embeddings',
  failure: HttpError,
  startedAt: number,
  streamed?: { chunksSent: number },
): void {
  const code = failure.body.error.code;
  if (!code || !INTERNAL_FAILURE_CODES.has(code)) return;
  void deps.rejections.recordInternalFailure(
    streamed ? interruptedStream(grpcRequest, startedAt, streamed.chunksSent) : { ...recordedRequestOf(grpcRequest, operation, startedAt), httpStatus: failure.status, errorType: code },
  );
}

interface TracedRequest {
  span: Span;
  metadata: Metadata;
}

/** The ingress span of a routed request, child of the client's traceparent; its context travels to the router in gRPC metadata. */
function traceRequest(request: FastifyRequest, operation: 'chat' | 'embeddings', model: string): TracedRequest {
  const { span, ctx } = startSpan(`${operation} ${model}`, contextFromHeaders(request.headers), SpanKind.SERVER, {
    'http.request.method': request.method,
    'http.route': request.routeOptions.url ?? '',
    'gen_ai.operation.name': operation,
    'gen_ai.request.model': model,
  });
  return { span, metadata: metadataWithContext(ctx) };
}

function unary(
  deps: CompletionsDeps,
  grpcRequest: RoutedRequest,
  ids: RequestIds,
  reply: FastifyReply,
  operation: 'chat' | 'embeddings',
  traced: TracedRequest,
): Promise<void> {
  const startedAt = Date.now();
  return new Promise<void>((resolve) => {
    let answered = false;
    const answer: UnaryAnswer = (error, response) => {
      if (answered) return;
      answered = true;
      deps.drainCuts.delete(cut);
      if (response) {
        void reply
          .code(200)
          .headers(routeHeaders(ids, response.route))
          .header('content-type', 'application/json')
          .send(Buffer.from(response.body));
        traced.span.setAttribute('http.response.status_code', 200);
        endSpan(traced.span);
      } else {
        const failure = httpErrorFromGrpc(error);
        recordIfInternal(deps, grpcRequest, operation, failure, startedAt);
        sendError(reply, failure);
        traced.span.setAttribute('http.response.status_code', failure.status);
        endSpan(traced.span, failure.body.error.code ?? failure.body.error.type);
      }
      resolve();
    };
    // The drain's timeout passed before the answer: the client is told so, and the call is
    // cancelled once ingress's event of it is stored (the router's event of the cancellation,
    // same id, is then the duplicate).
    const cut = (): void => {
      if (answered || reply.raw.headersSent) return;
      answered = true;
      const failure = drainingCut();
      const recorded = deps.rejections.recordInternalFailure({ ...recordedRequestOf(grpcRequest, operation, startedAt), httpStatus: failure.status, errorType: 'gateway_draining' });
      void recorded.then(() => call.cancel());
      sendError(reply.header('connection', 'close'), failure);
      traced.span.setAttribute('http.response.status_code', failure.status);
      endSpan(traced.span, 'gateway_draining');
      resolve();
    };
    const call = operation === 'chat' ? deps.routerCalls.chatCompletion(grpcRequest, traced.metadata, answer) : deps.routerCalls.embeddings(grpcRequest, traced.metadata, answer);
    deps.drainCuts.add(cut);
    // A client that leaves cancels the gRPC call, and through it the upstream request; its 499 is
    // recorded late, so the router's event (if the call reached it) comes first.
    reply.raw.once('close', () => {
      deps.drainCuts.delete(cut);
      if (!answered) {
        answered = true;
        call.cancel();
        deps.rejections.recordCancelled(recordedRequestOf(grpcRequest, operation, startedAt));
        resolve();
      }
    });
  });
}

/** What a request still open when a drain's timeout passed is told (503, retryable elsewhere). */
function drainingCut(): HttpError {
  const failure = httpError(503, 'The gateway shut down before this request finished (drain timeout); retry on another replica.', 'gateway_draining');
  failure.headers['retry-after'] = '1';
  return failure;
}

function streamChat(
  deps: CompletionsDeps,
  grpcRequest: RoutedRequest,
  ids: RequestIds,
  request: FastifyRequest,
  reply: FastifyReply,
  traced: TracedRequest,
  wire: StreamWire = openAiStreamWire,
): Promise<void> {
  const startedAt = Date.now();
  return new Promise<void>((resolve) => {
    let started = false;
    let ended = false;
    /** Content chunks written to the client. */
    let chunksSent = 0;
    const raw = reply.raw;
    reply.hijack();
    const end = (errorType?: string): void => {
      ended = true;
      deps.drainCuts.delete(cut);
      endSpan(traced.span, errorType);
      resolve();
    };
    // The drain's timeout passed with this stream still open: the client is told so (never [DONE]),
    // and the router's call is cancelled once ingress's event of what the client got is stored
    // (the router's event of the cancellation, same id, is then the duplicate).
    const cut = (): void => {
      if (ended) return;
      const failure = drainingCut();
      const recorded = deps.rejections.recordInternalFailure(
        started ? interruptedStream(grpcRequest, startedAt, chunksSent) : { ...recordedRequestOf(grpcRequest, 'chat', startedAt), httpStatus: failure.status, errorType: 'gateway_draining' },
      );
      if (!started) {
        const answer = wire.reply(failure, ids.requestId);
        raw.writeHead(answer.status, { ...failure.headers, ...routeHeaders(ids, undefined), 'content-type': 'application/json', connection: 'close' });
        raw.end(answer.body);
      } else {
        raw.end(wire.failure(failure));
      }
      end('gateway_draining');
      void recorded.then(() => call.cancel());
    };
    // The raw grpc-js stream, not an Observable: pausing it when the client's socket is full
    // lets HTTP/2 flow control hold the router back, so a slow reader costs a bounded buffer.
    const call = deps.routerCalls.streamChatCompletion(grpcRequest, traced.metadata);
    deps.drainCuts.add(cut);
    call.on('data', (event: CompletionStreamEvent) => {
      if (ended) return;
      if (event.route && !started) {
        started = true;
        raw.writeHead(200, {
          ...routeHeaders(ids, event.route),
          'content-type': 'text/event-stream; charset=utf-8',
          'cache-control': 'no-cache',
          connection: 'keep-alive',
          'x-accel-buffering': 'no',
        });
        raw.flushHeaders();
      }
      if (event.chunk) {
        chunksSent++;
        const written = raw.write(wire.event(event.chunk));
        if (!written) {
          call.pause();
          raw.once('drain', () => call.resume());
        }
      }
    });
    call.on('error', (error: unknown) => {
      if (ended) return;
      const failure = httpErrorFromGrpc(error);
      recordIfInternal(deps, grpcRequest, 'chat', failure, startedAt, started ? { chunksSent } : undefined);
      if (!started) {
        const answer = wire.reply(failure, ids.requestId);
        raw.writeHead(answer.status, { ...failure.headers, ...routeHeaders(ids, undefined), 'content-type': 'application/json' });
        raw.end(answer.body);
      } else {
        raw.end(wire.failure(failure));
      }
      end(failure.body.error.code ?? failure.body.error.type);
    });
    call.on('end', () => {
      if (ended) return;
      if (!started) raw.writeHead(200, { ...routeHeaders(ids, undefined), 'content-type': 'text/event-stream; charset=utf-8' });
      raw.end(wire.done);
      end();
    });
    // The response closes when it ends or when the client goes away; only the latter cancels,
    // and records its 499 late, so the router's event (if the call reached it) comes first.
    raw.once('close', () => {
      if (!ended) {
        end('cancelled');
        call.cancel();
        deps.rejections.recordCancelled(recordedRequestOf(grpcRequest, 'chat', startedAt));
      }
    });
  });
}

async function models(deps: CompletionsDeps, request: FastifyRequest, reply: FastifyReply): Promise<void> {
  identifyRequest(request, reply);
  const key = authenticated.get(request.raw) as ApiKey;
  await new Promise<void>((resolve) => {
    deps.router.listModels({}).subscribe({
      next: (response) => {
        const teamModels = deps.auth.team(key.teamId)?.allowedModels ?? [];
        const allowed = response.models.filter((m) => isModelAllowed(key.allowedModels, m.id) && isModelAllowed(teamModels, m.id));
        const list = isAnthropicFormat(request.raw)
          ? anthropicModelList(allowed)
          : { object: 'list', data: allowed.map((m) => ({ id: m.id, object: 'model', created: m.created, owned_by: m.ownedBy })) };
        void reply.code(200).header('content-type', 'application/json').send(JSON.stringify(list));
        resolve();
      },
      error: (error: unknown) => {
        sendError(reply, httpErrorFromGrpc(error));
        resolve();
      },
    });
  });
}

/** Anthropic's model list (GET /v1/models with `anthropic-version`): one page holding every model. */
function anthropicModelList(models: Array<{ id: string; created: number }>): Record<string, unknown> {
  return {
    data: models.map((m) => ({ type: 'model', id: m.id, display_name: m.id, created_at: new Date(Number(m.created) * 1000).toISOString() })),
    has_more: false,
    first_id: models[0]?.id ?? null,
    last_id: models[models.length - 1]?.id ?? null,
  };
}
