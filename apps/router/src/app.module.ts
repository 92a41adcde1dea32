import { Module, type DynamicModule } from '@nestjs/common';
import type { Logger } from 'pino';
import type { ConfigSnapshotWatcher } from './config-snapshot.watcher';
import type { ProviderKeysCache } from './provider-keys.cache';
import type { RouteExecutor } from './route.executor';
import { RouterController } from './router.controller';
import { BODY_BUDGET, CONFIG_WATCHER, KEY_HEALTH, KEYS_CACHE, PROVIDER_STATS, ROUTE_EXECUTOR, ROUTER_LOGGER, USAGE_PUBLISHER } from './router.constants';
import type { KeyHealth, ProviderStats } from '@ai-gateway/routing';
import type { UsagePublisher } from '@ai-gateway/nats';
import type { InflightBytesBudget } from '@ai-gateway/service-kit';

export interface RouterDependencies {
  executor: RouteExecutor;
  config: ConfigSnapshotWatcher;
  keys: ProviderKeysCache;
  usage: UsagePublisher;
  logger: Logger;
  /** Request body bytes held at once, every caller together. */
  bodies: InflightBytesBudget;
  /** Per-key 429 cooldowns and 401/403 failures, for the admin key listing. */
  keyHealth: KeyHealth;
  /** This process's latency and error figures, fed by every finished request, read by the routing policies. */
  stats: ProviderStats;
}

@Module({})
export class RouterAppModule {
  static register(deps: RouterDependencies): DynamicModule {
    return {
      module: RouterAppModule,
      controllers: [RouterController],
      providers: [
        { provide: ROUTE_EXECUTOR, useValue: deps.executor },
        { provide: CONFIG_WATCHER, useValue: deps.config },
        { provide: KEYS_CACHE, useValue: deps.keys },
        { provide: USAGE_PUBLISHER, useValue: deps.usage },
        { provide: ROUTER_LOGGER, useValue: deps.logger },
        { provide: BODY_BUDGET, useValue: deps.bodies },
        { provide: KEY_HEALTH, useValue: deps.keyHealth },
        { provide: PROVIDER_STATS, useValue: deps.stats },
      ],
    };
  }
}
