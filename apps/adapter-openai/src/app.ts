import 'reflect-metadata';
import { createLogger, type Logger } from '@ai-gateway/logging';
import { PROTO_FILES } from '@ai-gateway/proto';
import { UpstreamClient } from '@ai-gateway/provider-http';
import { createServiceRegistry, startGrpcApp, startMetricsServer, type Environment, type RunningService } from '@ai-gateway/service-kit';
import { OpenAiAdapterModule } from './app.module';
import { readAdapterEnv } from './adapter.env';

export async function createApp(env: Environment = process.env, logger?: Logger): Promise<RunningService> {
  const config = readAdapterEnv(env);
  const log = logger ?? createLogger({ service: 'adapter-openai', level: config.LOG_LEVEL, file: config.LOG_FILE || undefined });
  const upstream = new UpstreamClient();
  const registry = createServiceRegistry('adapter-openai');
  const grpc = await startGrpcApp(
    OpenAiAdapterModule.register(upstream),
    [{ name: 'grpc', host: config.BIND_HOST, port: config.GRPC_PORT, protoPath: PROTO_FILES.adapter }],
    log,
    registry,
  );
  grpc.markServing();
  const metrics = await startMetricsServer(registry, config.METRICS_PORT, config.BIND_HOST);
  return {
    name: 'adapter-openai',
    ports: { ...grpc.ports, metrics: metrics.port },
    close: async () => {
      await grpc.close();
      await upstream.close();
      await metrics.close();
      log.flush();
    },
  };
}
