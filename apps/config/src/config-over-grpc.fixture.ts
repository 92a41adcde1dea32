import { CONFIG_SERVICE_NAME, GATEWAY_V1_PACKAGE_NAME, PROTO_FILES, type ConfigServiceClient } from '@ai-gateway/proto';
import { createGrpcClient } from '@ai-gateway/service-kit';
import { createApp } from './app';

export interface ConfigOverGrpc {
  /** A client with the credential given. */
  client: ConfigServiceClient;
  close(): Promise<void>;
}

/** The config service on `natsUrl`, over gRPC on loopback (port 0), and a client of it: for integration specs. */
export async function startConfigOverGrpc(natsUrl: string, service: { callers: string; credential: string }, logLevel = 'warn'): Promise<ConfigOverGrpc> {
  const app = await createApp({ NATS_URL: natsUrl, GRPC_PORT: '0', BIND_HOST: '127.0.0.1', LOG_LEVEL: logLevel, OPENAI_BASE_URL: 'http://127.0.0.1:1/v1', SERVICE_CALLERS: service.callers });
  const proxy = createGrpcClient({ url: `127.0.0.1:${app.ports.grpc}`, package: GATEWAY_V1_PACKAGE_NAME, protoPath: PROTO_FILES.config, credential: service.credential });
  return {
    client: proxy.getService<ConfigServiceClient>(CONFIG_SERVICE_NAME),
    close: async () => {
      proxy.close();
      await app.close();
    },
  };
}
