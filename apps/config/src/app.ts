import 'reflect-metadata';
import { AuditPublisher, closeNats, connectNats, enableAtomicKvBatches, ensureAuditStream, KV_BUCKETS, kvBatchWriter, openKvBucket } from '@ai-gateway/nats';
import { createLogger, type Logger } from '@ai-gateway/logging';
import { PROTO_FILES } from '@ai-gateway/proto';
import { type Environment, type RunningService, serveGrpcService, ServiceCallers, drainLimits } from '@ai-gateway/service-kit';
import { ConfigAppModule } from './app.module';
import type { ConfigAuditEvent } from './config.constants';
import { readConfigEnv } from './config.env';
import { ConfigStore } from './config.store';
import { ProviderRedirectPolicy } from './provider-redirect.policy';
import { readRoutingPoliciesFile } from './routing-policies.file';
import { seedProviders } from './seed-providers';

export async function createApp(env: Environment = process.env, logger?: Logger): Promise<RunningService> {
  const config = readConfigEnv(env);
  const callers = ServiceCallers.parse(config.SERVICE_CALLERS);
  const redirects = ProviderRedirectPolicy.parse(config.PROVIDER_HOST_ALLOWLIST);
  const log = logger ?? createLogger({ service: 'config', level: config.LOG_LEVEL, file: config.LOG_FILE || undefined });
  const nc = await connectNats(config.NATS_URL, 'config');
  const kv = await openKvBucket(nc, KV_BUCKETS.config, config.KV_REPLICAS);
  await ensureAuditStream(nc, config.KV_REPLICAS);
  const audit = new AuditPublisher<ConfigAuditEvent>(nc, log);
  const atomic = await enableAtomicKvBatches(nc, KV_BUCKETS.config).catch((error: unknown) => {
    log.warn({ err: error }, 'could not turn on atomic batches on the config bucket');
    return false;
  });
  if (!atomic) log.warn('NATS takes no atomic batches (nats-server 2.12 or later needed): the model override limit is checked per config replica only');
  const store = new ConfigStore(kv, log, redirects, atomic ? kvBatchWriter(nc, KV_BUCKETS.config) : undefined);
  await store.start();
  await store.seedDefaults(seedProviders(config));
  if (config.ROUTING_POLICIES_FILE) {
    // Config-as-code: the file wins at each start; admin edits last until the next one. A bad file stops config here.
    const providerIds = new Set(store.current().providers.map((provider) => provider.id));
    try {
      await store.setRoutingPolicies(await readRoutingPoliciesFile(config.ROUTING_POLICIES_FILE, providerIds));
    } catch (error) {
      store.stop();
      await closeNats(nc);
      throw error;
    }
    log.info({ file: config.ROUTING_POLICIES_FILE }, 'routing policies applied from file');
  }

  return serveGrpcService({
    name: 'config',
    module: ConfigAppModule.register(store, audit),
    servers: [{ name: 'grpc', port: config.GRPC_PORT, protoPath: PROTO_FILES.config }],
    host: config.BIND_HOST,
    metricsPort: config.METRICS_PORT,
    drain: drainLimits(config),
    logger: log,
    callers,
    onRefusing: () => store.endWatches(),
    release: async () => {
      store.stop();
      await closeNats(nc);
    },
  });
}
