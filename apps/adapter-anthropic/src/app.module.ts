import { Module, type DynamicModule } from '@nestjs/common';
import type { UpstreamClient } from '@ai-gateway/provider-http';
import { AnthropicAdapterController } from './anthropic-adapter.controller';
import { UPSTREAM_CLIENT } from './adapter.constants';

@Module({})
export class AnthropicAdapterModule {
  static register(upstream: UpstreamClient): DynamicModule {
    return {
      module: AnthropicAdapterModule,
      controllers: [AnthropicAdapterController],
      providers: [{ provide: UPSTREAM_CLIENT, useValue: upstream }],
    };
  }
}
