import 'reflect-metadata';
import { createLogger, type Logger } from '@ai-gateway/logging';
import { PROTO_FILES } from '@ai-gateway/proto';
import { UpstreamClient } from '@ai-gateway/provider-http';
import { createServiceRegistry, startGrpcApp, startMetricsServer, type Environment, type RunningService } from '@ai-gateway/service-kit';
import { AnthropicAdapterModule } from './app.module';
import { readAdapterEnv } from './adapter.env';

const SERVICE_NAME = 'adapter-anthropic';

export async function createApp(env: Environment = process.env, logger?: Logger): Promise<RunningService> {
  const config = readAdapterEnv(env);
  const log = logger ?? createLogger({ service: SERVICE_NAME, level: config.LOG_LEVEL, file: config.LOG_FILE || undefined });
  const upstream = new UpstreamClient();
  const registry = createServiceRegistry(SERVICE_NAME);
  const grpc = await startGrpcApp(
    AnthropicAdapterModule.register(upstream),
    [{ name: 'grpc', host: config.BIND_HOST, port: config.GRPC_PORT, protoPath: PROTO_FILES.adapter }],
    log,
    registry,
  );
  grpc.markServing();
  const metrics = await startMetricsServer(registry, config.METRICS_PORT, config.BIND_HOST);
  return {
    name: SERVICE_NAME,
    ports: { ...grpc.ports, metrics: metrics.port },
    close: async () => {
      await grpc.close();
      await upstream.close();
      await metrics.close();
      log.flush();
    },
  };
}
