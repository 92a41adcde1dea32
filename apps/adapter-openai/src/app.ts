import 'reflect-metadata';
import { createLogger, type Logger } from '@ai-gateway/logging';
import { PROTO_FILES } from '@ai-gateway/proto';
import { UpstreamClient } from '@ai-gateway/provider-http';
import { type Environment, type RunningService, serveGrpcService, ServiceCallers, drainLimits } from '@ai-gateway/service-kit';
import { OpenAiAdapterModule } from './app.module';
import { readAdapterEnv } from './adapter.env';

export async function createApp(env: Environment = process.env, logger?: Logger): Promise<RunningService> {
  const config = readAdapterEnv(env);
  const callers = ServiceCallers.parse(config.SERVICE_CALLERS);
  const log = logger ?? createLogger({ service: 'adapter-openai', level: config.LOG_LEVEL, file: config.LOG_FILE || undefined });
  const upstream = new UpstreamClient({ maxResponseBytes: config.MAX_RESPONSE_BYTES });
  return serveGrpcService({
    name: 'adapter-openai',
    module: OpenAiAdapterModule.register(upstream),
    servers: [{ name: 'grpc', port: config.GRPC_PORT, protoPath: PROTO_FILES.adapter }],
    host: config.BIND_HOST,
    metricsPort: config.METRICS_PORT,
    drain: drainLimits(config),
    logger: log,
    callers,
    release: async () => {
      await upstream.close();
    },
  });
}
