import 'reflect-metadata';
import { createLogger, secretScrubber, type Logger } from '@ai-gateway/logging';
import { connectNats } from '@ai-gateway/nats';
import { GATEWAY_V1_PACKAGE_NAME, PROTO_FILES } from '@ai-gateway/proto';
import { CircuitBreaker } from '@ai-gateway/routing';
import { createGrpcClient, createServiceRegistry, type Environment, type RunningService, serveGrpcService, ServiceCallers } from '@ai-gateway/service-kit';
import { AdapterClients } from './adapter.clients';
import { RouterAppModule } from './app.module';
import { ConfigSnapshotWatcher } from './config-snapshot.watcher';
import { ProviderKeysCache } from './provider-keys.cache';
import { RouteExecutor } from './route.executor';
import { readRouterEnv } from './router.env';
import { createRouterMetrics } from './router.metrics';
import { UsagePublisher } from '@ai-gateway/nats';

export async function createApp(env: Environment = process.env, logger?: Logger): Promise<RunningService> {
  const config = readRouterEnv(env);
  const callers = ServiceCallers.parse(config.SERVICE_CALLERS);
  const log = logger ?? createLogger({ service: 'router', level: config.LOG_LEVEL, file: config.LOG_FILE || undefined });
  secretScrubber.register(config.SERVICE_CREDENTIAL);

  const configProxy = createGrpcClient({ url: config.CONFIG_URL, package: GATEWAY_V1_PACKAGE_NAME, protoPath: PROTO_FILES.config, credential: config.SERVICE_CREDENTIAL });
  const resolveProxy = createGrpcClient({ url: config.KEY_VAULT_RESOLVE_URL, package: GATEWAY_V1_PACKAGE_NAME, protoPath: PROTO_FILES.keyVaultResolve, credential: config.SERVICE_CREDENTIAL });
  const watcher = new ConfigSnapshotWatcher(configProxy, log);
  const keys = new ProviderKeysCache(resolveProxy, config.ROUTER_REPLICA_ID, log);
  await Promise.all([watcher.start(), keys.start()]);

  const registry = createServiceRegistry('router');
  const breaker = new CircuitBreaker({ consecutiveFailures: config.BREAKER_FAILURES, cooldownMs: config.BREAKER_COOLDOWN_MS });
  const metrics = createRouterMetrics(registry, breaker, (id) => watcher.current().snapshot.providers.find((p) => p.id === id)?.kind ?? '');
  const nc = await connectNats(config.NATS_URL, `router-${config.ROUTER_REPLICA_ID}`);
  const usage = new UsagePublisher(nc, config.USAGE_BUFFER_SIZE, metrics.usageEventsDropped, log);
  const adapters = new AdapterClients(config.adapterUrls, config.SERVICE_CREDENTIAL);
  const executor = new RouteExecutor(watcher, keys, adapters, breaker, {
    requestTimeoutMs: config.REQUEST_TIMEOUT_MS,
    attemptTimeoutMs: config.ATTEMPT_TIMEOUT_MS,
    maxRetries: config.MAX_RETRIES,
    retryBaseMs: config.RETRY_BASE_MS,
    retryAfterMaxMs: config.RETRY_AFTER_MAX_MS,
  });

  return serveGrpcService({
    name: 'router',
    module: RouterAppModule.register({ executor, config: watcher, keys, usage, logger: log }),
    servers: [{ name: 'grpc', port: config.GRPC_PORT, protoPath: PROTO_FILES.router }],
    host: config.BIND_HOST,
    metricsPort: config.METRICS_PORT,
    logger: log,
    callers,
    registry,
    release: async () => {
      await usage.flush(3_000);
      usage.close();
      watcher.stop();
      keys.stop();
      adapters.close();
      configProxy.close();
      resolveProxy.close();
      await nc.drain();
    },
  });
}
