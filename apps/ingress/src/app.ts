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
import { createGrpcClient, createServiceRegistry, startMetricsServer, type Environment, type RunningService } from '@ai-gateway/service-kit';
import { registerAdminRoutes } from './admin.routes';
import { ApiKeyAuthenticator } from './api-key.authenticator';
import { IngressAppModule } from './app.module';
import { registerCompletionRoutes } from './completions.routes';
import { registerHealthRoutes } from './health.routes';
import { httpError } from './openai-http-error';
import { sendError } from './http-reply';
import { readIngressEnv } from './ingress.env';

export async function createApp(env: Environment = process.env, logger?: Logger): Promise<RunningService> {
  const config = readIngressEnv(env);
  const log = logger ?? createLogger({ service: 'ingress', level: config.LOG_LEVEL, file: config.LOG_FILE || undefined });
  secretScrubber.register(config.ADMIN_TOKEN);

  const proxies = {
    router: createGrpcClient({ url: config.ROUTER_URL, package: GATEWAY_V1_PACKAGE_NAME, protoPath: PROTO_FILES.router }),
    config: createGrpcClient({ url: config.CONFIG_URL, package: GATEWAY_V1_PACKAGE_NAME, protoPath: PROTO_FILES.config }),
    keyVault: createGrpcClient({ url: config.KEY_VAULT_ADMIN_URL, package: GATEWAY_V1_PACKAGE_NAME, protoPath: PROTO_FILES.keyVaultAdmin }),
    analytics: config.ANALYTICS_URL
      ? createGrpcClient({ url: config.ANALYTICS_URL, package: GATEWAY_V1_PACKAGE_NAME, protoPath: PROTO_FILES.analytics })
      : undefined,
  };
  const router = proxies.router.getService<RouterServiceClient>(ROUTER_SERVICE_NAME);
  const configClient = proxies.config.getService<ConfigServiceClient>(CONFIG_SERVICE_NAME);
  const auth = new ApiKeyAuthenticator(configClient, config.ADMIN_TOKEN, log);
  await auth.start();

  const app = await NestFactory.create<NestFastifyApplication>(
    IngressAppModule,
    new FastifyAdapter({ bodyLimit: config.MAX_BODY_BYTES, logger: false, requestTimeout: 0 }),
    { logger: new PinoNestLogger(log), bodyParser: false },
  );
  // Nest installs its own handlers on init; ours are registered after, so they win.
  await app.init();
  const fastify = app.getHttpAdapter().getInstance();
  // Bodies stay bytes: validated once, forwarded as the client sent them.
  fastify.removeAllContentTypeParsers();
  fastify.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));
  fastify.setErrorHandler((error, _request, reply) => {
    const status = (error as { statusCode?: number }).statusCode ?? 500;
    if (status === 413) return sendError(reply, httpError(413, `The request body is larger than ${config.MAX_BODY_BYTES} bytes.`, 'request_too_large'));
    if (status < 500) return sendError(reply, httpError(400, error instanceof Error ? error.message : 'Bad request.'));
    log.error({ err: error }, 'unhandled error');
    return sendError(reply, httpError(502, 'The gateway failed to handle the request.'));
  });

  const closeHealth = registerHealthRoutes(fastify, { routerUrl: config.ROUTER_URL, auth });
  registerCompletionRoutes(fastify, { router, auth, logger: log, requestTimeoutMs: config.REQUEST_TIMEOUT_MS });
  registerAdminRoutes(fastify, {
    auth,
    config: configClient,
    keyVault: proxies.keyVault.getService<KeyVaultAdminServiceClient>(KEY_VAULT_ADMIN_SERVICE_NAME),
    analytics: proxies.analytics?.getService<AnalyticsServiceClient>(ANALYTICS_SERVICE_NAME),
  });

  fastify.all('/*', (request, reply) => sendError(reply, httpError(404, `Unknown path ${request.method} ${request.url.split('?')[0]}.`, 'unknown_url')));
  await app.listen(config.PORT, config.BIND_HOST);
  const port = fastify.server.address();
  const metrics = await startMetricsServer(createServiceRegistry('ingress'), config.METRICS_PORT, config.BIND_HOST);

  return {
    name: 'ingress',
    ports: { http: typeof port === 'object' && port ? port.port : config.PORT, metrics: metrics.port },
    close: async () => {
      await app.close();
      auth.stop();
      closeHealth();
      for (const proxy of Object.values(proxies)) proxy?.close();
      await metrics.close();
      log.flush();
    },
  };
}
