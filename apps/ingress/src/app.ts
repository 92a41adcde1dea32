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
import { connectNats, UsagePublisher } from '@ai-gateway/nats';
import { createGrpcClient, createServiceRegistry, startMetricsServer, type Environment, type RunningService } from '@ai-gateway/service-kit';
import { Counter } from 'prom-client';
import { registerAdminRoutes } from './admin.routes';
import { ApiKeyAuthenticator } from './api-key.authenticator';
import { IngressAppModule } from './app.module';
import { registerCompletionRoutes } from './completions.routes';
import { loadDashboard, registerDashboardRoutes } from './dashboard.routes';
import { registerHealthRoutes } from './health.routes';
import { httpError } from './openai-http-error';
import { sendError } from './http-reply';
import { createHttpServerMetrics } from './http-server.metrics';
import { readIngressEnv } from './ingress.env';
import { RejectedRequestRecorder } from './rejected-request.recorder';

export async function createApp(env: Environment = process.env, logger?: Logger): Promise<RunningService> {
  const config = readIngressEnv(env);
  const log = logger ?? createLogger({ service: 'ingress', level: config.LOG_LEVEL, file: config.LOG_FILE || undefined });
  secretScrubber.register(config.ADMIN_TOKEN);
  secretScrubber.register(config.SERVICE_CREDENTIAL);
  const credential = config.SERVICE_CREDENTIAL;

  const proxies = {
    router: createGrpcClient({ url: config.ROUTER_URL, package: GATEWAY_V1_PACKAGE_NAME, protoPath: PROTO_FILES.router, credential }),
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
  const rejections = new RejectedRequestRecorder(usage);
  const httpDuration = createHttpServerMetrics(registry);
  const dashboard = loadDashboard(config.DASHBOARD_DIR || undefined);
  if (dashboard.dir) log.info({ dir: dashboard.dir, files: dashboard.files.size }, 'dashboard files loaded');
  else log.warn({ reason: dashboard.problem }, 'dashboard unavailable: /dashboard/ answers 503');

  const app = await NestFactory.create<NestFastifyApplication>(
    IngressAppModule,
    new FastifyAdapter({ bodyLimit: config.MAX_BODY_BYTES, logger: false, requestTimeout: 0 }),
    { logger: new PinoNestLogger(log), bodyParser: false },
  );
  await app.init();
  const fastify = app.getHttpAdapter().getInstance();
  let closeHealth: () => void = () => undefined;
  // The gateway's routes live in their own Fastify scope: its body parsing, error handler and
  // hooks apply to them alone, apart from the handlers Nest installs on the root instance.
  await fastify.register(async (scope) => {
    // Bodies stay bytes: validated once, forwarded as the client sent them.
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));
    scope.setErrorHandler((error, _request, reply) => {
      const status = (error as { statusCode?: number }).statusCode ?? 500;
      if (status === 413) return sendError(reply, httpError(413, `The request body is larger than ${config.MAX_BODY_BYTES} bytes.`, 'request_too_large'));
      if (status < 500) return sendError(reply, httpError(400, error instanceof Error ? error.message : 'Bad request.'));
      log.error({ err: error }, 'unhandled error');
      return sendError(reply, httpError(502, 'The gateway failed to handle the request.'));
    });
    scope.addHook('onRequest', (request, reply, done) => {
      const started = Date.now();
      const startedHr = process.hrtime.bigint();
      reply.raw.once('close', () => {
        httpDuration.observe(
          { http_request_method: request.method, http_route: request.routeOptions.url ?? 'unknown', http_response_status_code: String(reply.raw.statusCode) },
          Number(process.hrtime.bigint() - startedHr) / 1e9,
        );
        rejections.onResponse(request.raw, reply.raw, () => auth.authenticate(request.headers.authorization)?.id, started);
      });
      done();
    });
    closeHealth = registerHealthRoutes(scope, { routerUrl: config.ROUTER_URL, auth });
    registerCompletionRoutes(scope, { router, auth, logger: log, requestTimeoutMs: config.REQUEST_TIMEOUT_MS, rejections });
    registerAdminRoutes(scope, {
      auth,
      config: configClient,
      keyVault: proxies.keyVault.getService<KeyVaultAdminServiceClient>(KEY_VAULT_ADMIN_SERVICE_NAME),
      analytics: proxies.analytics?.getService<AnalyticsServiceClient>(ANALYTICS_SERVICE_NAME),
    });
    registerDashboardRoutes(scope, dashboard);
    scope.all('/*', (request, reply) => sendError(reply, httpError(404, `Unknown path ${request.method} ${request.url.split('?')[0]}.`, 'unknown_url')));
  });
  await app.listen(config.PORT, config.BIND_HOST);
  const port = fastify.server.address();
  const metrics = await startMetricsServer(registry, config.METRICS_PORT, config.BIND_HOST);

  return {
    name: 'ingress',
    ports: { http: typeof port === 'object' && port ? port.port : config.PORT, metrics: metrics.port },
    close: async () => {
      await app.close();
      await usage.flush(2_000);
      usage.close();
      await nc.drain();
      auth.stop();
      closeHealth();
      for (const proxy of Object.values(proxies)) proxy?.close();
      await metrics.close();
      log.flush();
    },
  };
}
