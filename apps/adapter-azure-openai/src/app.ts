import 'reflect-metadata';
import { createAdapterService } from '@ai-gateway/adapters';
import type { Logger } from '@ai-gateway/logging';
import type { Environment, RunningService } from '@ai-gateway/service-kit';

/** Service mode of the `azure-openai` kind: AzureOpenAiAdapter behind ProviderAdapterService. */
export function createApp(env: Environment = process.env, logger?: Logger): Promise<RunningService> {
  return createAdapterService({ name: 'adapter-azure-openai', kinds: ['azure-openai'], defaultPort: 50065 }, env, logger);
}
