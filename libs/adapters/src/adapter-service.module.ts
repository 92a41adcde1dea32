import { Module, type DynamicModule } from '@nestjs/common';
import type { ProviderAdapter } from '@ai-gateway/provider-http';
import { SERVED_ADAPTERS } from './adapter.constants';
import { ProviderAdapterGrpcController } from './provider-adapter.grpc-controller';

@Module({})
export class AdapterServiceModule {
  static register(adapters: ReadonlyMap<string, ProviderAdapter>): DynamicModule {
    return {
      module: AdapterServiceModule,
      controllers: [ProviderAdapterGrpcController],
      providers: [{ provide: SERVED_ADAPTERS, useValue: adapters }],
    };
  }
}
