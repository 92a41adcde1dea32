import 'reflect-metadata';
import { connectNats, KV_BUCKETS, openKvBucket } from '@ai-gateway/nats';
import { createLogger, type Logger } from '@ai-gateway/logging';
import { PROTO_FILES } from '@ai-gateway/proto';
import {
  createServiceRegistry,
  startGrpcApp,
  startMetricsServer,
  type Environment,
  type RunningService,
} from '@ai-gateway/service-kit';
import { ConfigAppModule } from './app.module';
import { readConfigEnv } from './config.env';
import { ConfigStore } from './config.store';

export async function createApp(env: Environment = process.env, logger?: Logger): Promise<RunningService> {
  const config = readConfigEnv(env);
  const log = logger ?? createLogger({ service: 'config', level: config.LOG_LEVEL, file: config.LOG_FILE || undefined });
  const nc = await connectNats(config.NATS_URL, 'config');
  const kv = await openKvBucket(nc, KV_BUCKETS.config, config.KV_REPLICAS);
  const store = new ConfigStore(kv, log);
  await store.start();
  await store.seedDefaults([
    { id: 'openai', kind: 'openai', baseUrl: config.OPENAI_BASE_URL },
    { id: 'anthropic', kind: 'anthropic', baseUrl: config.ANTHROPIC_BASE_URL },
  ]);

  const registry = createServiceRegistry('config');
  const grpc = await startGrpcApp(
    ConfigAppModule.register(store),
    [{ name: 'grpc', host: config.BIND_HOST, port: config.GRPC_PORT, protoPath: PROTO_FILES.config }],
    log,
    registry,
  );
  grpc.markServing();
  const metrics = await startMetricsServer(registry, config.METRICS_PORT, config.BIND_HOST);

  return {
    name: 'config',
    ports: { ...grpc.ports, metrics: metrics.port },
    close: async () => {
      await grpc.close();
      store.stop();
      await metrics.close();
      await nc.drain();
      log.flush();
    },
  };
}
