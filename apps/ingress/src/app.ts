import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { createLogger, PinoNestLogger, secretScrubber, type Logger } from '@ai-gateway/logging';
import {
  ANALYTICS_SERVICE_NAME,
  CONFIG_SERVICE_NAME,
  GATEWAY_V1_PACKAGE_NAME,
  KEY_VAULT_ADMIN_SERVICE_NAME,
  PROTO_FILES,
  ROUTER_SERVICE_NAME,
  type AnalyticsServiceClient,
  type ConfigServiceClient,
  type KeyVaultAdminServiceClient,
  type RouterServiceClient,
} from '@ai-gateway/proto';
import { AUDIT_SUBJECT, closeNats, connectNats, KV_BUCKETS, openKvBucket, UsagePublisher } from '@ai-gateway/nats';
import { jetstream } from '@nats-io/jetstream';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { createGrpcClient, createServiceRegistry, drain, drainLimits, IMMEDIATE_DRAIN, startMetricsServer, type DrainLimits, type Environment, type RunningService } from '@ai-gateway/service-kit';
import { Counter } from 'prom-client';
import { registerAdminRoutes } from './admin.routes';
import { ApiKeyAuthenticator } from './api-key.authenticator';
import { IngressAppModule } from './app.module';
import { registerCompletionRoutes, type RouterCalls } from './completions.routes';
import { DrainCuts } from './drain-cuts';
import { loadDashboard, registerDashboardRoutes } from './dashboard.routes';
import { registerHealthRoutes } from './health.routes';
import { httpError } from './openai-http-error';
import { registerOpenApiRoutes } from './openapi.routes';
import { sendError } from './http-reply';
import { createHttpServerMetrics } from './http-server.metrics';
import { readIngressEnv } from './ingress.env';
import { RejectedRequestRecorder } from './rejected-request.recorder';
import { identifyRequest } from './request-id';
import { AdminSignInGuard } from './admin-signin.guard';
import { BodyReader, BodyRefused } from './body.reader';
import { HEADERS_TIMEOUT_MS, MAX_PATH_PARAM_LENGTH } from './edge-limits';
import { answerClientError, answerFrameworkError, answerRouteError } from './framework-errors';
import { InflightBytesBudget } from '@ai-gateway/service-kit';
import { OpenAiExceptionFilter } from './openai-exception.filter';
import { LateConnections } from './late-connections';

import { trustProxyOf } from './trust-proxy';
import { gatewayCredential, markWireFormat } from './wire-format';
import { AdmissionGate } from './admission/admission.gate';
import { RequestAdmission } from './admission/request-admission';
import { ReservationStore } from './admission/reservation.store';
import { SpendReport } from './admission/spend.report';
import { SpendSettler } from './admission/spend.settler';
import { registerTeamSpendMetrics } from './admission/team-spend.metrics';

/** How long a drain waits, once nothing is in flight, for clients to close the idle connections they held (their keep-alive timeout). */
const CLIENT_IDLE_WAIT_MS = 5_000;

/** After a drain's timeout: time the cut streams' last events get to reach their sockets before every connection is closed. */
const CUT_FLUSH_MS = 1_000;

function truncate(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

export async function createApp(env: Environment = process.env, logger?: Logger): Promise<RunningService> {
  const config = readIngressEnv(env);
  const log = logger ?? createLogger({ service: 'ingress', level: config.LOG_LEVEL, file: config.LOG_FILE || undefined });
  secretScrubber.register(config.ADMIN_TOKEN);
  secretScrubber.register(config.SERVICE_CREDENTIAL);
  const credential = config.SERVICE_CREDENTIAL;

  const proxies = {
    // Router replicas (a list or dns:///): a call a replica refused before answering (it went away) goes to another.
    router: createGrpcClient({
      url: config.ROUTER_URL,
      package: GATEWAY_V1_PACKAGE_NAME,
      protoPath: PROTO_FILES.router,
      credential,
      retryUnavailable: `${GATEWAY_V1_PACKAGE_NAME}.${ROUTER_SERVICE_NAME}`,
    }),
    config: createGrpcClient({ url: config.CONFIG_URL, package: GATEWAY_V1_PACKAGE_NAME, protoPath: PROTO_FILES.config, credential }),
    keyVault: createGrpcClient({ url: config.KEY_VAULT_ADMIN_URL, package: GATEWAY_V1_PACKAGE_NAME, protoPath: PROTO_FILES.keyVaultAdmin, credential }),
    analytics: config.ANALYTICS_URL
      ? createGrpcClient({ url: config.ANALYTICS_URL, package: GATEWAY_V1_PACKAGE_NAME, protoPath: PROTO_FILES.analytics, credential })
      : undefined,
  };
  const router = proxies.router.getService<RouterServiceClient>(ROUTER_SERVICE_NAME);
  const configClient = proxies.config.getService<ConfigServiceClient>(CONFIG_SERVICE_NAME);
  const auth = new ApiKeyAuthenticator(configClient, config.ADMIN_TOKEN, log);
  await auth.start();

  const registry = createServiceRegistry('ingress');
  const nc = await connectNats(config.NATS_URL, 'ingress');
  const dropped = new Counter({
    name: 'gen_ai_gateway_usage_events_dropped_total',
    help: 'Usage events dropped because the bounded buffer overflowed while NATS was unreachable.',
    registers: [registry],
  });
  const usage = new UsagePublisher(nc, 10_000, dropped, log);
  // Budgets and limits: reservations in a KV bucket every replica shares, settled from the usage stream.
  const reservations = new ReservationStore(await openKvBucket(nc, KV_BUCKETS.limits, config.KV_REPLICAS, 1));
  const admission = new AdmissionGate(new RequestAdmission(reservations), auth, {
    defaultMaxTokens: config.ADMISSION_DEFAULT_MAX_TOKENS,
    settleGraceMs: config.ADMISSION_SETTLE_GRACE_MS,
  });
  const settler = new SpendSettler(nc, reservations, auth, log, config.ADMISSION_SETTLE_GRACE_MS);
  await settler.start();
  const spend = new SpendReport(reservations);
  registerTeamSpendMetrics(registry, () => auth.teamList(), spend);
  const rejections = new RejectedRequestRecorder(usage);
  const httpDuration = createHttpServerMetrics(registry);
  const dashboard = loadDashboard(config.DASHBOARD_DIR || undefined);
  if (dashboard.dir) log.info({ dir: dashboard.dir, files: dashboard.files.size }, 'dashboard files loaded');
  else log.warn({ reason: dashboard.problem }, 'dashboard unavailable: /dashboard/ answers 503');

  const bodies = new BodyReader({
    maxBodyBytes: config.MAX_BODY_BYTES,
    readTimeoutMs: config.BODY_READ_TIMEOUT_MS,
    budget: new InflightBytesBudget(config.MAX_INFLIGHT_BODY_BYTES),
  });
  const signIn = new AdminSignInGuard();
  const audit = jetstream(nc);
  // Drain (drain.ts): `grace` fails /readyz and still serves; `refusing` answers 503 gateway_draining
  // on connections opened since (late-connections.ts); every answer while draining closes its connection.
  let phase: 'serving' | 'grace' | 'refusing' = 'serving';
  let inFlight = 0;
  /** Public API requests in flight, at most MAX_INFLIGHT_REQUESTS. */
  let apiInFlight = 0;
  let idleWaiters: Array<() => void> = [];
  const whenIdle = (): Promise<void> => (inFlight === 0 ? Promise.resolve() : new Promise<void>((resolve) => idleWaiters.push(resolve)));
  const shutdown = new AbortController();

  const app = await NestFactory.create<NestFastifyApplication>(
    IngressAppModule,
    new FastifyAdapter({
      bodyLimit: config.MAX_BODY_BYTES,
      logger: false,
      // Node's own backstop for a request never fully received; BodyReader answers first.
      requestTimeout: config.BODY_READ_TIMEOUT_MS + HEADERS_TIMEOUT_MS,
      return503OnClosing: false,
      clientErrorHandler: answerClientError,
      frameworkErrors: answerFrameworkError,
      routerOptions: { maxParamLength: MAX_PATH_PARAM_LENGTH },
      trustProxy: trustProxyOf(config.TRUST_PROXY),
    }),
    { logger: new PinoNestLogger(log), bodyParser: false },
  );
  app.useGlobalFilters(new OpenAiExceptionFilter());
  await app.init();
  const fastify = app.getHttpAdapter().getInstance();
  fastify.server.headersTimeout = HEADERS_TIMEOUT_MS;
  const lateConnections = new LateConnections(fastify.server);
  let closeHealth: () => void = () => undefined;
  // The gateway's routes live in their own Fastify scope: its body parsing, error handler and
  // hooks apply to them alone, apart from the handlers Nest installs on the root instance.
  await fastify.register(async (scope) => {
    // Bodies stay bytes: validated once, forwarded as the client sent them; read within the
    // size limit, the read timeout and the process's in-flight byte budget.
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', (request, _payload, done) => {
      bodies.read(request.raw).then(
        (body) => done(null, body),
        (error: Error) => done(error),
      );
    });
    scope.setErrorHandler((error, _request, reply) => {
      const answer = answerRouteError(error, config.MAX_BODY_BYTES);
      if (answer !== 'internal') {
        // The rest of a refused body is never read: the connection cannot carry another request.
        if (error instanceof BodyRefused) reply.header('connection', 'close');
        return sendError(reply, answer);
      }
      log.error({ err: error }, 'unhandled error');
      return sendError(reply, httpError(502, 'The gateway failed to handle the request.'));
    });
    scope.addHook('onRequest', (request, reply, done) => {
      markWireFormat(request.raw, request.routeOptions.url);
      const started = Date.now();
      const startedHr = process.hrtime.bigint();
      inFlight++;
      // A public API request holds one of MAX_INFLIGHT_REQUESTS slots until its response closes.
      const isApi = request.url.startsWith('/v1/');
      // Its one id, made here before anything can answer it: every answer carries it (the edge's
      // refusals below and the body reader's included), and its usage event is stored under it.
      if (isApi) identifyRequest(request, reply);
      const holdsSlot = isApi && apiInFlight < config.MAX_INFLIGHT_REQUESTS;
      if (holdsSlot) apiInFlight++;
      reply.raw.once('close', () => {
        if (holdsSlot) apiInFlight--;
        if (--inFlight === 0) {
          for (const resolve of idleWaiters) resolve();
          idleWaiters = [];
        }
        bodies.release(request.raw);
        httpDuration.observe(
          { http_request_method: request.method, http_route: request.routeOptions.url ?? 'unknown', http_response_status_code: String(reply.raw.statusCode) },
          Number(process.hrtime.bigint() - startedHr) / 1e9,
        );
        rejections.onResponse(request.raw, reply.raw, () => auth.authenticate(gatewayCredential(request.headers))?.id, started);
      });
      // While draining, every answer closes its connection: a keep-alive client reconnects, and its
      // load balancer, which stops sending new connections here once /readyz fails, picks another replica.
      if (phase !== 'serving') reply.header('connection', 'close');
      if (phase === 'refusing' && lateConnections.isLate(request.raw.socket) && request.url !== '/healthz' && request.url !== '/readyz') {
        const answer = httpError(503, 'The gateway is shutting down; retry on another replica.', 'gateway_draining');
        answer.headers['retry-after'] = '1';
        reply.header('connection', 'close');
        return sendError(reply, answer);
      }
      if (isApi && !holdsSlot) {
        // Refused before its body is read: the connection cannot carry another request.
        const answer = httpError(503, `The gateway is serving as many requests as it takes at once (${config.MAX_INFLIGHT_REQUESTS}); retry shortly.`, 'gateway_overloaded');
        answer.headers['retry-after'] = '1';
        reply.header('connection', 'close');
        return sendError(reply, answer);
      }
      done();
    });
    closeHealth = registerHealthRoutes(scope, { routerUrl: config.ROUTER_URL, auth, draining: () => phase !== 'serving' });
    const routerCalls = proxies.router.getClientByServiceName<RouterCalls>(ROUTER_SERVICE_NAME);
    const drainCuts = new DrainCuts(shutdown.signal);
    registerCompletionRoutes(scope, { router, routerCalls, auth, logger: log, requestTimeoutMs: config.REQUEST_TIMEOUT_MS, rejections, drainCuts, admission });
    registerAdminRoutes(scope, {
      auth,
      config: configClient,
      router,
      keyVault: proxies.keyVault.getService<KeyVaultAdminServiceClient>(KEY_VAULT_ADMIN_SERVICE_NAME),
      analytics: proxies.analytics?.getService<AnalyticsServiceClient>(ANALYTICS_SERVICE_NAME),
      signIn,
      spend,
      onSignInFailure: (address, route) => {
        const event = { action: 'admin.sign_in_failed', actor: `address:${address}`, route, at: new Date().toISOString() };
        log.warn({ audit: event }, 'audit');
        audit.publish(AUDIT_SUBJECT, JSON.stringify(event)).catch((error: unknown) => log.warn({ err: error }, 'audit record not published'));
      },
    });
    registerDashboardRoutes(scope, dashboard);
    registerOpenApiRoutes(scope);
    const unknownUrl = (request: FastifyRequest, reply: FastifyReply): void =>
      sendError(reply, httpError(404, `Unknown path ${request.method} ${truncate(request.url.split('?')[0], 200)}.`, 'unknown_url'));
    scope.all('/*', unknownUrl);
  });
  await app.listen(config.PORT, config.BIND_HOST);
  const port = fastify.server.address();
  const metrics = await startMetricsServer(registry, config.METRICS_PORT, config.BIND_HOST);

  const limits = drainLimits(config);
  const stop = async (stopLimits: DrainLimits): Promise<void> => {
    const outcome = await drain(
      stopLimits,
      {
        unready: () => (phase = 'grace'),
        refuseNew: () => {
          phase = 'refusing';
          lateConnections.startRefusing();
          // Requests that came on those connections meanwhile are waited for too; the drain timeout bounds it all.
          return whenIdle()
            .then(() => lateConnections.whenClientsLeft(Math.min(CLIENT_IDLE_WAIT_MS, stopLimits.timeoutMs / 2)))
            .then(() => whenIdle());
        },
        // Streams still open end with an in-band gateway_draining error (never [DONE]); once those
        // last events left (bounded), every connection still open is closed.
        cut: async () => {
          shutdown.abort();
          let timer: NodeJS.Timeout | undefined;
          await Promise.race([whenIdle(), new Promise((resolve) => (timer = setTimeout(resolve, CUT_FLUSH_MS)))]);
          clearTimeout(timer);
          fastify.server.closeAllConnections();
        },
      },
      (next) =>
        log.info(
          { phase: next, inFlight, graceMs: stopLimits.graceMs, timeoutMs: stopLimits.timeoutMs },
          next === 'grace' ? 'draining: /readyz answers 503, requests still served' : 'draining: new requests answered 503 gateway_draining, waiting for in-flight requests',
        ),
    );
    if (outcome === 'cut') log.warn({ inFlight, timeoutMs: stopLimits.timeoutMs }, 'drain timeout passed: in-flight requests cut');
    // Nothing is in flight now. A connection that never sent a request is not "idle" to Node's
    // server.close(): it would hold the close until its headers timeout (60 s).
    fastify.server.closeAllConnections();
    await app.close();
    // The 499s of clients that left wait CANCELLED_EVENT_DELAY_MS before they are published.
    await rejections.whenPublished();
    await usage.flush(2_000);
    usage.close();
    await settler.close();
    await closeNats(nc);
    auth.stop();
    closeHealth();
    for (const proxy of Object.values(proxies)) proxy?.close();
    await metrics.close();
    log.flush();
  };
  // Whichever is called first runs; later calls of either get its promise.
  let stopped: Promise<void> | undefined;
  return {
    name: 'ingress',
    ports: { http: typeof port === 'object' && port ? port.port : config.PORT, metrics: metrics.port },
    drainLimits: limits,
    close: () => (stopped ??= stop(IMMEDIATE_DRAIN)),
    drain: () => (stopped ??= stop(limits)),
  };
}
