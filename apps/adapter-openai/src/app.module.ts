import { Module, type DynamicModule } from '@nestjs/common';
import type { UpstreamClient } from '@ai-gateway/provider-http';
import { OpenAiAdapterController } from './openai-adapter.controller';
import { UPSTREAM_CLIENT } from './adapter.constants';

@Module({})
export class OpenAiAdapterModule {
  static register(upstream: UpstreamClient): DynamicModule {
    return {
      module: OpenAiAdapterModule,
      controllers: [OpenAiAdapterController],
      providers: [{ provide: UPSTREAM_CLIENT, useValue: upstream }],
    };
  }
}
