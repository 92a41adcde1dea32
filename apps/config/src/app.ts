import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { connectNats, KV_BUCKETS, openKvBucket } from '@ai-gateway/nats';
import { createLogger, PinoNestLogger, type Logger } from '@ai-gateway/logging';
import { GATEWAY_V1_PACKAGE_NAME, PROTO_FILES } from '@ai-gateway/proto';
import {
  createServiceRegistry,
  GatewayGrpcServer,
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

  const grpc = new GatewayGrpcServer({
    url: `${config.BIND_HOST}:${config.GRPC_PORT}`,
    package: GATEWAY_V1_PACKAGE_NAME,
    protoPath: PROTO_FILES.config,
  });
  const app = await NestFactory.createMicroservice(ConfigAppModule.register(store), {
    strategy: grpc,
    logger: new PinoNestLogger(log),
  });
  await app.listen();
  grpc.setServing(true);
  const metrics = await startMetricsServer(createServiceRegistry('config'), config.METRICS_PORT, config.BIND_HOST);

  return {
    name: 'config',
    ports: { grpc: grpc.port, metrics: metrics.port },
    close: async () => {
      await grpc.drain(5_000);
      await app.close();
      store.stop();
      await metrics.close();
      await nc.drain();
      log.flush();
    },
  };
}
