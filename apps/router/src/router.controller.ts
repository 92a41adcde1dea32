import { Controller, Inject } from '@nestjs/common';
import { GrpcMethod } from '@nestjs/microservices';
import { ROUTER_SERVICE_NAME, type ListModelsResponse } from '@ai-gateway/proto';
import { ConfigSnapshotWatcher } from './config-snapshot.watcher';
import { ProviderKeysCache } from './provider-keys.cache';
import { CONFIG_WATCHER, KEYS_CACHE } from './router.constants';

/**
 * The router's RPCs off the hot path, through Nest. ChatCompletion, StreamChatCompletion and
 * Embeddings are served by RouterHotPath's handlers registered straight on grpc-js.
 */
@Controller()
export class RouterController {
  constructor(
    @Inject(CONFIG_WATCHER) private readonly config: ConfigSnapshotWatcher,
    @Inject(KEYS_CACHE) private readonly keys: ProviderKeysCache,
  ) {}

  @GrpcMethod(ROUTER_SERVICE_NAME, 'listModels')
  listModels(): ListModelsResponse {
    const view = this.config.current();
    const servable = view.catalog.listServableModels({ providersWithKeys: this.keys.providersWithKeys() });
    return {
      models: servable.map((model) => ({ id: model.id, ownedBy: model.providerIds[0] ?? 'gateway', created: 0 })),
    };
  }
}
