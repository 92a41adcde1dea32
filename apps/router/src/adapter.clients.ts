import { GATEWAY_V1_PACKAGE_NAME, PROTO_FILES, PROVIDER_ADAPTER_SERVICE_NAME, type ProviderAdapterServiceClient } from '@ai-gateway/proto';
import { createGrpcClient } from '@ai-gateway/service-kit';
import type { ClientGrpcProxy } from '@nestjs/microservices';

/** One gRPC client per provider kind's adapter app. */
export class AdapterClients {
  private readonly proxies = new Map<string, ClientGrpcProxy>();
  private readonly clients = new Map<string, ProviderAdapterServiceClient>();

  constructor(urls: Record<string, string>, credential: string) {
    for (const [kind, url] of Object.entries(urls)) {
      const proxy = createGrpcClient({ url, package: GATEWAY_V1_PACKAGE_NAME, protoPath: PROTO_FILES.adapter, credential });
      this.proxies.set(kind, proxy);
      this.clients.set(kind, proxy.getService<ProviderAdapterServiceClient>(PROVIDER_ADAPTER_SERVICE_NAME));
    }
  }

  kinds(): string[] {
    return [...this.clients.keys()];
  }

  forKind(kind: string): ProviderAdapterServiceClient | undefined {
    return this.clients.get(kind);
  }

  close(): void {
    for (const proxy of this.proxies.values()) proxy.close();
  }
}
