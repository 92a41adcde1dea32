import { Module, type DynamicModule } from '@nestjs/common';
import { ConfigController } from './config.controller';
import { CONFIG_STORE } from './config.constants';
import type { ConfigStore } from './config.store';

@Module({})
export class ConfigAppModule {
  static register(store: ConfigStore): DynamicModule {
    return {
      module: ConfigAppModule,
      controllers: [ConfigController],
      providers: [{ provide: CONFIG_STORE, useValue: store }],
    };
  }
}
