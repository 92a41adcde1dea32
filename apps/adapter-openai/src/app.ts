import 'reflect-metadata';
import { createAdapterService } from '@ai-gateway/adapters';
import type { Logger } from '@ai-gateway/logging';
import type { Environment, RunningService } from '@ai-gateway/service-kit';

/** Service mode of the `openai` kind: OpenAiAdapter behind ProviderAdapterService. */
export function createApp(env: Environment = process.env, logger?: Logger): Promise<RunningService> {
  return createAdapterService({ name: 'adapter-openai', kinds: ['openai'], defaultPort: 50061 }, env, logger);
}
