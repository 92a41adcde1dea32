import { Module, type DynamicModule } from '@nestjs/common';
import type { ConfigSnapshotWatcher } from './config-snapshot.watcher';
import type { ProviderKeysCache } from './provider-keys.cache';
import { RouterController } from './router.controller';
import { CONFIG_WATCHER, KEYS_CACHE } from './router.constants';

export interface RouterDependencies {
  config: ConfigSnapshotWatcher;
  keys: ProviderKeysCache;
}

/** Nest's part of the router: the RPCs off the hot path (RouterHotPath serves the rest). */
@Module({})
export class RouterAppModule {
  static register(deps: RouterDependencies): DynamicModule {
    return {
      module: RouterAppModule,
      controllers: [RouterController],
      providers: [
        { provide: CONFIG_WATCHER, useValue: deps.config },
        { provide: KEYS_CACHE, useValue: deps.keys },
      ],
    };
  }
}
