import 'reflect-metadata';
import { connectNats } from '@ai-gateway/nats';
import { createLogger, type Logger } from '@ai-gateway/logging';
import { PROTO_FILES } from '@ai-gateway/proto';
import { createServiceRegistry, startGrpcApp, startMetricsServer, type Environment, type RunningService } from '@ai-gateway/service-kit';
import { readAnalyticsEnv } from './analytics.env';
import { AnalyticsAppModule } from './app.module';
import { ProviderHealthTracker } from './provider-health';
import { UsageConsumer } from './usage.consumer';
import { UsageMetrics } from './usage.metrics';

/** The analytics service plus the consumer, for tests that need its counters. */
export interface AnalyticsService extends RunningService {
  consumer: UsageConsumer;
}

export async function createApp(env: Environment = process.env, logger?: Logger): Promise<AnalyticsService> {
  const config = readAnalyticsEnv(env);
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
  await consumer.start();

  const grpc = await startGrpcApp(
    AnalyticsAppModule.register(health),
    [{ name: 'grpc', host: config.BIND_HOST, port: config.GRPC_PORT, protoPath: PROTO_FILES.analytics }],
    log,
    registry,
  );
  grpc.markServing();
  const metricsServer = await startMetricsServer(registry, config.METRICS_PORT, config.BIND_HOST);
  return {
    name: 'analytics',
    ports: { ...grpc.ports, metrics: metricsServer.port },
    consumer,
    close: async () => {
      await grpc.close();
      await consumer.close();
      await metricsServer.close();
      await nc.drain();
      log.flush();
    },
  };
}
