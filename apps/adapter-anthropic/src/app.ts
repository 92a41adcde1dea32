import 'reflect-metadata';
import { createLogger, type Logger } from '@ai-gateway/logging';
import { PROTO_FILES } from '@ai-gateway/proto';
import { UpstreamClient } from '@ai-gateway/provider-http';
import { type Environment, type RunningService, serveGrpcService, ServiceCallers, drainLimits } from '@ai-gateway/service-kit';
import { AnthropicAdapterModule } from './app.module';
import { readAdapterEnv } from './adapter.env';

const SERVICE_NAME = 'adapter-anthropic';

export async function createApp(env: Environment = process.env, logger?: Logger): Promise<RunningService> {
  const config = readAdapterEnv(env);
  const callers = ServiceCallers.parse(config.SERVICE_CALLERS);
  const log = logger ?? createLogger({ service: SERVICE_NAME, level: config.LOG_LEVEL, file: config.LOG_FILE || undefined });
  const upstream = new UpstreamClient({ maxResponseBytes: config.MAX_RESPONSE_BYTES });
  return serveGrpcService({
    name: SERVICE_NAME,
    module: AnthropicAdapterModule.register(upstream),
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
