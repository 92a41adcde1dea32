import { Module, type DynamicModule } from '@nestjs/common';
import type { Logger } from 'pino';
import type { KeyHealth, ProviderStats } from '@ai-gateway/routing';
import type { AdapterDirectory } from './adapter.directory';
import type { ConfigSnapshotWatcher } from './config-snapshot.watcher';
import type { ProviderKeysCache } from './provider-keys.cache';
import { RouterController } from './router.controller';
import { ADAPTERS, CONFIG_WATCHER, KEY_HEALTH, KEYS_CACHE, PROVIDER_STATS, ROUTER_LOGGER } from './router.constants';

export interface RouterDependencies {
  config: ConfigSnapshotWatcher;
  keys: ProviderKeysCache;
  logger: Logger;
  /** Per-key 429 cooldowns and 401/403 failures, for the admin key listing. */
  keyHealth: KeyHealth;
  /** This process's latency and error figures, fed by every finished request, read by the routing policies. */
  stats: ProviderStats;
  /** Where each provider kind runs: model discovery asks there. */
  adapters: AdapterDirectory;
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
        { provide: ROUTER_LOGGER, useValue: deps.logger },
        { provide: KEY_HEALTH, useValue: deps.keyHealth },
        { provide: PROVIDER_STATS, useValue: deps.stats },
        { provide: ADAPTERS, useValue: deps.adapters },
      ],
    };
  }
}
