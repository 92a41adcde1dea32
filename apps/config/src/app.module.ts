import { Module, type DynamicModule } from '@nestjs/common';
import { ConfigController } from './config.controller';
import { CONFIG_AUDIT, CONFIG_STORE, type ConfigAudit } from './config.constants';
import type { ConfigStore } from './config.store';

@Module({})
export class ConfigAppModule {
  static register(store: ConfigStore, audit: ConfigAudit): DynamicModule {
    return {
      module: ConfigAppModule,
      controllers: [ConfigController],
      providers: [
        { provide: CONFIG_STORE, useValue: store },
        { provide: CONFIG_AUDIT, useValue: audit },
      ],
    };
  }
}
