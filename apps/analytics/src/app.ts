import 'reflect-metadata';
import { closeNats, connectNats } from '@ai-gateway/nats';
import { createLogger, type Logger } from '@ai-gateway/logging';
import { PROTO_FILES } from '@ai-gateway/proto';
import { createServiceRegistry, type Environment, type RunningService, serveGrpcService, ServiceCallers, drainLimits } from '@ai-gateway/service-kit';
import { readAnalyticsEnv } from './analytics.env';
import { AnalyticsAppModule } from './app.module';
import { ProviderHealthTracker, USAGE_MAX_WINDOW_SECONDS } from './provider-health';
import { UsageConsumer } from './usage.consumer';
import { UsageMetrics } from './usage.metrics';

/** The analytics service plus the consumer, for tests that need its counters. */
export interface AnalyticsService extends RunningService {
  consumer: UsageConsumer;
}

export async function createApp(env: Environment = process.env, logger?: Logger): Promise<AnalyticsService> {
  const config = readAnalyticsEnv(env);
  const callers = ServiceCallers.parse(config.SERVICE_CALLERS);
  const log = logger ?? createLogger({ service: 'analytics', level: config.LOG_LEVEL, file: config.LOG_FILE || undefined });
  const registry = createServiceRegistry('analytics');
  const metrics = new UsageMetrics(registry);
  const health = new ProviderHealthTracker();
  const nc = await connectNats(config.NATS_URL, 'analytics');
  const consumer = new UsageConsumer(
    nc,
    { replicas: config.USAGE_STREAM_REPLICAS, maxAgeSeconds: config.USAGE_STREAM_MAX_AGE_SECONDS, maxBytes: config.USAGE_STREAM_MAX_BYTES },
    metrics,
    health,
    log,
  );
  await consumer.start(USAGE_MAX_WINDOW_SECONDS * 1000);

  const service = await serveGrpcService({
    name: 'analytics',
    module: AnalyticsAppModule.register(health),
    servers: [{ name: 'grpc', port: config.GRPC_PORT, protoPath: PROTO_FILES.analytics }],
    host: config.BIND_HOST,
    metricsPort: config.METRICS_PORT,
    drain: drainLimits(config),
    logger: log,
    callers,
    registry,
    release: async () => {
      await consumer.close();
      await closeNats(nc);
    },
  });
  return { ...service, consumer };
}
