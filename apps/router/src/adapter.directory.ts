import { closeProviderAdapters, createProviderAdapters, discoverProviderModels, discoveryTargetOf, GrpcProviderAdapter, registeredAdapterKinds } from '@ai-gateway/adapters';
import type { AdapterModelList, ProviderTarget } from '@ai-gateway/proto';
import type { LogUnexpected, ProviderAdapter } from '@ai-gateway/provider-http';

export interface AdapterDirectoryOptions {
  /** ADAPTER_URLS: the kinds served by their own adapter service (service mode), by kind. */
  urls: Record<string, string>;
  /** The credential the router presents to adapter services. */
  credential: string;
  /** The largest unary answer an embedded adapter reads from a provider. */
  maxResponseBytes: number;
  logUnexpected: LogUnexpected;
  /** AZURE_AUTHORITY_HOST for embedded adapters that get Entra ID tokens. */
  authorityHost?: string;
}

/**
 * The adapter of every provider kind: each registered kind in-process (embedded, the default),
 * except the kinds ADAPTER_URLS names, reached over gRPC (service mode). The router asks it by
 * kind and knows no kind itself.
 */
export class AdapterDirectory {
  private readonly byKind = new Map<string, ProviderAdapter>();

  constructor(options: AdapterDirectoryOptions) {
    const embedded = registeredAdapterKinds().filter((kind) => !Object.hasOwn(options.urls, kind));
    for (const [kind, adapter] of createProviderAdapters({ kinds: embedded, maxResponseBytes: options.maxResponseBytes, logUnexpected: options.logUnexpected, authorityHost: options.authorityHost })) {
      this.byKind.set(kind, adapter);
    }
    for (const [kind, url] of Object.entries(options.urls)) this.byKind.set(kind, new GrpcProviderAdapter(url, kind, options.credential));
  }

  kinds(): string[] {
    return [...this.byKind.keys()];
  }

  /** How a kind is served: in-process, over gRPC, or not at all. */
  modeOf(kind: string): 'embedded' | 'service' | undefined {
    const adapter = this.byKind.get(kind);
    if (!adapter) return undefined;
    return adapter instanceof GrpcProviderAdapter ? 'service' : 'embedded';
  }

  forKind(kind: string): ProviderAdapter | undefined {
    return this.byKind.get(kind);
  }

  /**
   * The models the target's provider lists, asked where its kind runs: from this process when
   * embedded, by the adapter service in service mode (so the router never calls a provider a
   * service-mode kind isolates). Rejects with DiscoveryUnsupportedError or ModelDiscoveryError.
   */
  discoverModels(target: ProviderTarget, signal?: AbortSignal): Promise<AdapterModelList> {
    const adapter = this.byKind.get(target.kind);
    if (adapter instanceof GrpcProviderAdapter) return adapter.discoverModels(target, signal);
    return discoverProviderModels(target.kind, discoveryTargetOf(target), signal);
  }

  close(): Promise<void> {
    return closeProviderAdapters(this.byKind.values());
  }
}
