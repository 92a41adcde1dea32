import { Module, type DynamicModule } from '@nestjs/common';
import { AnalyticsController } from './analytics.controller';
import { PROVIDER_HEALTH } from './analytics.constants';
import type { ProviderHealthTracker } from './provider-health';

@Module({})
export class AnalyticsAppModule {
  static register(health: ProviderHealthTracker): DynamicModule {
    return {
      module: AnalyticsAppModule,
      controllers: [AnalyticsController],
      providers: [{ provide: PROVIDER_HEALTH, useValue: health }],
    };
  }
}
