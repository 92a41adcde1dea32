import 'reflect-metadata';
import { createLogger, secretScrubber, type Logger } from '@ai-gateway/logging';
import {
  closeNats,
  connectNats,
  KEY_CHANGES_SUBJECT,
  leaseKey,
  openRouterLeases,
  ROUTER_LEASE_RENEW_MS,
  ROUTER_LEASE_SAFETY_MS,
  ROUTER_LEASE_TTL_MS,
  type KeyChangeAck,
  type KeyChangeAnnouncement,
  type RouterLease as RouterLeaseValue,
} from '@ai-gateway/nats';
import { credentials, makeGenericClientConstructor, type Client } from '@grpc/grpc-js';
import { service as healthService } from 'grpc-health-check';
import { GATEWAY_V1_PACKAGE_NAME, PROTO_FILES } from '@ai-gateway/proto';
import { CircuitBreaker, KeyHealth, ProviderStats, routingPolicyFor } from '@ai-gateway/routing';
import { createGrpcClient, createServiceRegistry, type Environment, type RunningService, serveGrpcService, ServiceCallers, InflightBytesBudget, drainLimits } from '@ai-gateway/service-kit';
import { AdapterDirectory } from './adapter.directory';
import { RouterAppModule } from './app.module';
import { ConfigSnapshotWatcher } from './config-snapshot.watcher';
import { CONTROL_PLANE_COMPONENTS, ControlPlaneStatus } from './control-plane.status';
import { ProviderKeysCache, type KeyChangeFeed } from './provider-keys.cache';
import { RouterLease } from './router-lease';
import { RouteExecutor, type RouteSettings } from './route.executor';
import { RoutePolicyOrderer } from './route-policy.orderer';
import { RouterHotPath } from './router.hot-path';
import { readRouterEnv } from './router.env';
import { createRouterMetrics } from './router.metrics';
import { UsagePublisher, type KV, type NatsConnection } from '@ai-gateway/nats';
import type { ClientGrpcProxy } from '@nestjs/microservices';

/**
 * Replacements, for tests and the hedging bench, of where the router reads a model's hedge
 * policy (by default its routing policy from the config snapshot) and a provider and model's
 * recent p95 time to first token (by default this process's ProviderStats).
 */
export type RouterDeps = Pick<RouteSettings, 'hedgeFor' | 'ttftP95For'>;

export async function createApp(env: Environment = process.env, logger?: Logger, deps: RouterDeps = {}): Promise<RunningService> {
  const config = readRouterEnv(env);
  const callers = ServiceCallers.parse(config.SERVICE_CALLERS);
  const log = logger ?? createLogger({ service: 'router', level: config.LOG_LEVEL, file: config.LOG_FILE || undefined });
  secretScrubber.register(config.SERVICE_CREDENTIAL);

  const configProxy = createGrpcClient({ url: config.CONFIG_URL, package: GATEWAY_V1_PACKAGE_NAME, protoPath: PROTO_FILES.config, credential: config.SERVICE_CREDENTIAL });
  const resolveProxy = createGrpcClient({ url: config.KEY_VAULT_RESOLVE_URL, package: GATEWAY_V1_PACKAGE_NAME, protoPath: PROTO_FILES.keyVaultResolve, credential: config.SERVICE_CREDENTIAL });
  const controlPlane = new ControlPlaneStatus(log);
  const nc = await connectNats(config.NATS_URL, `router-${config.ROUTER_REPLICA_ID}`);
  const watcher = new ConfigSnapshotWatcher(configProxy, log, (connected) => controlPlane.set('config', connected));
  const keys = createKeysCache(nc, resolveProxy, config.ROUTER_REPLICA_ID, controlPlane, log, await openRouterLeases(nc));
  try {
    await Promise.all([watcher.start(), keys.start()]);
  } catch (error) {
    watcher.stop();
    keys.stop();
    await closeNats(nc);
    throw error;
  }
  const keyVaultProbe = probeHealth(config.KEY_VAULT_RESOLVE_URL, ROUTER_LEASE_RENEW_MS, (up) => controlPlane.set('key_vault', up));

  const registry = createServiceRegistry('router');
  const breaker = new CircuitBreaker({
    consecutiveFailures: config.BREAKER_FAILURES,
    cooldownMs: config.BREAKER_COOLDOWN_MS,
    failureRate: config.BREAKER_FAILURE_RATE_PERCENT === 0 ? false : { threshold: config.BREAKER_FAILURE_RATE_PERCENT / 100, window: 20, minimumRequests: 20 },
  });
  const keyHealth = new KeyHealth();
  const stats = new ProviderStats();
  watcher.onChange((view) => {
    const configured = new Set(view.snapshot.providers.map((provider) => provider.id));
    stats.retainProviders(configured);
    breaker.retainProviders(configured);
  });
  const metrics = createRouterMetrics(registry, breaker, keyHealth, (id) => watcher.current().snapshot.providers.find((p) => p.id === id)?.kind ?? '', controlPlane);
  const usage = new UsagePublisher(nc, config.USAGE_BUFFER_SIZE, metrics.usageEventsDropped, log);
  const adapters = new AdapterDirectory({
    urls: config.adapterUrls,
    credential: config.SERVICE_CREDENTIAL,
    maxResponseBytes: config.MAX_RESPONSE_BYTES,
    authorityHost: config.AZURE_AUTHORITY_HOST || undefined,
    logUnexpected: (message, detail) => log.warn(detail, message),
  });
  const policyOrder = new RoutePolicyOrderer(watcher, stats, breaker);
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
    hedgeFor: deps.hedgeFor ?? ((model) => routingPolicyFor(watcher.current().policies, model).hedge),
    ttftP95For: deps.ttftP95For ?? ((provider, model) => stats.p95TtftMs(provider, model)),
  }, policyOrder);

  const hotPath = new RouterHotPath(executor, usage, log, new InflightBytesBudget(config.MAX_INFLIGHT_BODY_BYTES), stats, watcher);

  return serveGrpcService({
    name: 'router',
    module: RouterAppModule.register({ config: watcher, keys, logger: log, keyHealth, stats, adapters }),
    servers: [{ name: 'grpc', port: config.GRPC_PORT, protoPath: PROTO_FILES.router, directMethods: hotPath.methods() }],
    host: config.BIND_HOST,
    metricsPort: config.METRICS_PORT,
    drain: drainLimits(config),
    logger: log,
    callers,
    registry,
    namedHealth: (set) => {
      for (const component of CONTROL_PLANE_COMPONENTS) set(`gateway.control_plane.${component}`, controlPlane.connected(component));
      controlPlane.onChange((component, connected) => set(`gateway.control_plane.${component}`, connected));
    },
    release: async () => {
      keyVaultProbe();
      await usage.flush(3_000);
      usage.close();
      watcher.stop();
      keys.stop();
      await adapters.close();
      configProxy.close();
      resolveProxy.close();
      await closeNats(nc);
    },
  });
}

/** The provider keys cache over NATS: changes on KEY_CHANGES_SUBJECT, acknowledgements as replies, the lease in gateway_router_leases. */
function createKeysCache(
  nc: NatsConnection,
  resolveProxy: ClientGrpcProxy,
  replicaId: string,
  controlPlane: ControlPlaneStatus,
  log: Logger,
  leases: KV,
): ProviderKeysCache {
  const id = leaseKey(replicaId);
  const value: RouterLeaseValue = { replicaId: id, ttlMs: ROUTER_LEASE_TTL_MS };
  const writeTimeoutMs = ROUTER_LEASE_TTL_MS - ROUTER_LEASE_SAFETY_MS;
  const lease = new RouterLease(
    async () => {
      let timer: NodeJS.Timeout | undefined;
      try {
        await Promise.race([
          leases.put(id, JSON.stringify(value)),
          new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error('lease renewal timed out')), writeTimeoutMs))),
        ]);
      } finally {
        clearTimeout(timer);
      }
    },
    { ttlMs: ROUTER_LEASE_TTL_MS, safetyMs: ROUTER_LEASE_SAFETY_MS },
    undefined,
    async () => {
      await leases.delete(id);
    },
  );
  const feed: KeyChangeFeed = {
    subscribe: (handler) => {
      const sub = nc.subscribe(KEY_CHANGES_SUBJECT, {
        callback: (error, msg) => {
          if (error) return;
          let change: KeyChangeAnnouncement;
          try {
            change = msg.json<KeyChangeAnnouncement>();
          } catch {
            return;
          }
          const ack: KeyChangeAck = { changeId: change.changeId, replicaId: id };
          handler(change, () => msg.reply && nc.publish(msg.reply, JSON.stringify(ack)));
        },
      });
      return () => sub.unsubscribe();
    },
  };
  return new ProviderKeysCache(resolveProxy, lease, feed, log, {
    renewMs: ROUTER_LEASE_RENEW_MS,
    onKeyVault: (up) => controlPlane.set('key_vault', up),
    onLease: (renewed) => controlPlane.set('nats', renewed),
  });
}

type HealthClient = Client & {
  check(request: { service: string }, options: { deadline: number }, callback: (error: Error | null, response?: { status: string | number }) => void): void;
};
const HealthClientConstructor = makeGenericClientConstructor(healthService, 'Health');

/** Checks a gRPC server's health every `everyMs` (grpc.health.v1 needs no credential); returns a stop function. */
function probeHealth(url: string, everyMs: number, report: (serving: boolean) => void): () => void {
  const client = new HealthClientConstructor(url, credentials.createInsecure()) as unknown as HealthClient;
  const timer = setInterval(() => {
    client.check({ service: '' }, { deadline: Date.now() + everyMs }, (error, response) => report(!error && (response?.status === 'SERVING' || response?.status === 1)));
  }, everyMs);
  timer.unref();
  return () => {
    clearInterval(timer);
    client.close();
  };
}
