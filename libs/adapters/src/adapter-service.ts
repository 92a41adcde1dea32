import { createLogger, type Logger } from '@ai-gateway/logging';
import { PROTO_FILES } from '@ai-gateway/proto';
import { DEFAULT_MAX_RESPONSE_BYTES, type LogUnexpected } from '@ai-gateway/provider-http';
import { COMMON_ENV, drainLimits, GRPC_SERVER_ENV, readEnv, serveGrpcService, ServiceCallers, type Environment, type RunningService } from '@ai-gateway/service-kit';
import { AdapterServiceModule } from './adapter-service.module';
import { closeProviderAdapters, createProviderAdapters } from './provider-adapters';

export function adapterServiceEnv(defaultPort: number) {
  return {
    ...COMMON_ENV,
    ...GRPC_SERVER_ENV,
    GRPC_PORT: { type: 'port', default: defaultPort },
    /** The largest unary answer read from the provider; a larger one is a malformed answer (DEFAULT_MAX_RESPONSE_BYTES says why 32 MiB). */
    MAX_RESPONSE_BYTES: { type: 'int', default: DEFAULT_MAX_RESPONSE_BYTES, min: 1024 },
    /** The Microsoft identity platform's base URL for Entra ID tokens of azure-openai providers (the Azure SDKs' name); empty: login.microsoftonline.com. */
    AZURE_AUTHORITY_HOST: { type: 'string', default: '' },
  } as const;
}

export interface AdapterServiceSpec {
  /** The service's name (logs, metrics): adapter-openai. */
  name: string;
  /** The provider kinds it serves (registered in ADAPTER_FACTORIES). */
  kinds: readonly string[];
  defaultPort: number;
}

/** Service mode of provider kinds: their ProviderAdapters behind ProviderAdapterService, with the service kit's auth, drain and metrics. */
export async function createAdapterService(spec: AdapterServiceSpec, env: Environment, logger?: Logger): Promise<RunningService> {
  const config = readEnv(adapterServiceEnv(spec.defaultPort), env);
  const callers = ServiceCallers.parse(config.SERVICE_CALLERS);
  const log = logger ?? createLogger({ service: spec.name, level: config.LOG_LEVEL, file: config.LOG_FILE || undefined });
  const logUnexpected: LogUnexpected = (message, detail) => log.warn(detail, message);
  const adapters = createProviderAdapters({ kinds: spec.kinds, maxResponseBytes: config.MAX_RESPONSE_BYTES, logUnexpected, authorityHost: config.AZURE_AUTHORITY_HOST || undefined });
  return serveGrpcService({
    name: spec.name,
    module: AdapterServiceModule.register(adapters),
    servers: [{ name: 'grpc', port: config.GRPC_PORT, protoPath: PROTO_FILES.adapter }],
    host: config.BIND_HOST,
    metricsPort: config.METRICS_PORT,
    drain: drainLimits(config),
    logger: log,
    callers,
    release: () => closeProviderAdapters(adapters.values()),
  });
}
