import { Controller, Inject } from '@nestjs/common';
import { GrpcMethod } from '@nestjs/microservices';
import {
  ROUTER_SERVICE_NAME,
  type DiscoverModelsRequest,
  type DiscoverModelsResponse,
  type ListKeyStatesResponse,
  type ListModelsResponse,
  type RoutingStatsResponse,
} from '@ai-gateway/proto';
import type { KeyHealth, ProviderStats } from '@ai-gateway/routing';
import type { Logger } from 'pino';
import { ConfigSnapshotWatcher } from './config-snapshot.watcher';
import { ProviderKeysCache } from './provider-keys.cache';
import { ADAPTERS, CONFIG_WATCHER, KEY_HEALTH, KEYS_CACHE, PROVIDER_STATS, ROUTER_LOGGER } from './router.constants';
import type { AdapterDirectory } from './adapter.directory';
import { discoverModelsOf } from './model-discovery.handler';

/**
 * The router's RPCs off the hot path, through Nest. ChatCompletion, StreamChatCompletion and
 * Embeddings are served by RouterHotPath's handlers registered straight on grpc-js.
 */
@Controller()
export class RouterController {
  constructor(
    @Inject(CONFIG_WATCHER) private readonly config: ConfigSnapshotWatcher,
    @Inject(KEYS_CACHE) private readonly keys: ProviderKeysCache,
    @Inject(ROUTER_LOGGER) private readonly logger: Logger,
    @Inject(KEY_HEALTH) private readonly keyHealth: KeyHealth,
    @Inject(PROVIDER_STATS) private readonly stats: ProviderStats,
    @Inject(ADAPTERS) private readonly adapters: AdapterDirectory,
  ) {}

  /** This replica's figures only: each router process measures the requests it routes. */
  @GrpcMethod(ROUTER_SERVICE_NAME, 'getRoutingStats')
  getRoutingStats(): RoutingStatsResponse {
    return {
      stats: this.stats.all().map((entry) => ({
        provider: entry.provider,
        model: entry.model,
        ewmaTtftMs: entry.ewmaTtftMs ?? 0,
        ewmaLatencyMs: entry.ewmaLatencyMs ?? 0,
        errorRate: entry.errorRate,
        latencySamples: entry.latencySamples,
        outcomeSamples: entry.outcomeSamples,
      })),
    };
  }

  /** Admin only (SERVICE_ACCESS): the models an OpenAI-compatible provider lists. */
  @GrpcMethod(ROUTER_SERVICE_NAME, 'discoverModels')
  discoverModels(request: DiscoverModelsRequest): Promise<DiscoverModelsResponse> {
    return discoverModelsOf(request, this.config, this.keys, this.adapters, this.logger);
  }

  @GrpcMethod(ROUTER_SERVICE_NAME, 'listModels')
  listModels(): ListModelsResponse {
    const view = this.config.current();
    const servable = view.catalog.listServableModels({ providersWithKeys: this.keys.providersWithKeys() });
    return {
      models: servable.map((model) => ({ id: model.id, ownedBy: model.providerIds[0] ?? 'gateway', created: 0 })),
    };
  }

  /** Every key this router holds, with its pool state: ids only, never a key. */
  @GrpcMethod(ROUTER_SERVICE_NAME, 'listKeyStates')
  listKeyStates(): ListKeyStatesResponse {
    return {
      keys: this.keys.all().map((key) => {
        const state = this.keyHealth.stateOf(key);
        return {
          keyId: key.id,
          provider: key.provider,
          status: state.status,
          coolingUntilUnixMs: state.coolingUntil,
          failingSinceUnixMs: state.failingSince,
          failingStatus: state.failingStatus,
          lastRateLimitedUnixMs: state.lastLimitedAt,
        };
      }),
    };
  }
}
