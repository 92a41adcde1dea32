import 'reflect-metadata';
import { createAdapterService } from '@ai-gateway/adapters';
import type { Logger } from '@ai-gateway/logging';
import type { Environment, RunningService } from '@ai-gateway/service-kit';

/** Service mode of the `gemini` and `vertex` kinds: GeminiAdapter behind ProviderAdapterService. */
export function createApp(env: Environment = process.env, logger?: Logger): Promise<RunningService> {
  return createAdapterService({ name: 'adapter-gemini', kinds: ['gemini', 'vertex'], defaultPort: 50063 }, env, logger);
}
