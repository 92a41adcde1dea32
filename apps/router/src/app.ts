import 'reflect-metadata';
import { createLogger, secretScrubber, type Logger } from '@ai-gateway/logging';
import { connectNats } from '@ai-gateway/nats';
import { GATEWAY_V1_PACKAGE_NAME, PROTO_FILES } from '@ai-gateway/proto';
import { CircuitBreaker, KeyHealth } from '@ai-gateway/routing';
import { createGrpcClient, createServiceRegistry, type Environment, type RunningService, serveGrpcService, ServiceCallers, InflightBytesBudget, drainLimits } from '@ai-gateway/service-kit';
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
  const breaker = new CircuitBreaker({
    consecutiveFailures: config.BREAKER_FAILURES,
    cooldownMs: config.BREAKER_COOLDOWN_MS,
    failureRate: config.BREAKER_FAILURE_RATE_PERCENT === 0 ? false : { threshold: config.BREAKER_FAILURE_RATE_PERCENT / 100, window: 20, minimumRequests: 20 },
  });
  const keyHealth = new KeyHealth();
  const metrics = createRouterMetrics(registry, breaker, keyHealth, (id) => watcher.current().snapshot.providers.find((p) => p.id === id)?.kind ?? '');
  const nc = await connectNats(config.NATS_URL, `router-${config.ROUTER_REPLICA_ID}`);
  const usage = new UsagePublisher(nc, config.USAGE_BUFFER_SIZE, metrics.usageEventsDropped, log);
  const adapters = new AdapterClients(config.adapterUrls, config.SERVICE_CREDENTIAL);
  const executor = new RouteExecutor(watcher, keys, adapters, breaker, keyHealth, {
    requestTimeoutMs: config.REQUEST_TIMEOUT_MS,
    unaryTimeoutMs: config.ATTEMPT_TIMEOUT_MS,
    headersTimeoutMs: config.HEADERS_TIMEOUT_MS,
    idleTimeoutMs: config.STREAM_IDLE_TIMEOUT_MS,
    firstToken: {
      defaultMs: config.FIRST_TOKEN_TIMEOUT_MS,
      reasoningMs: config.REASONING_FIRST_TOKEN_TIMEOUT_MS,
      byModel: config.firstTokenOverrides,
    },
    maxRetries: config.MAX_RETRIES,
    retryBaseMs: config.RETRY_BASE_MS,
    retryAfterMaxMs: config.RETRY_AFTER_MAX_MS,
    adapterUnavailableWaitMs: config.ADAPTER_UNAVAILABLE_WAIT_MS,
    allOpen: config.BREAKER_ALL_OPEN === 'fail-fast' ? 'fail-fast' : 'probe',
  });

  return serveGrpcService({
    name: 'router',
    module: RouterAppModule.register({ executor, config: watcher, keys, usage, logger: log, bodies: new InflightBytesBudget(config.MAX_INFLIGHT_BODY_BYTES) }),
    servers: [{ name: 'grpc', port: config.GRPC_PORT, protoPath: PROTO_FILES.router }],
    host: config.BIND_HOST,
    metricsPort: config.METRICS_PORT,
    drain: drainLimits(config),
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
