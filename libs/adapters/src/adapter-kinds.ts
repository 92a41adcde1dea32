import { UpstreamClient, type LogUnexpected, type ProviderAdapter } from '@ai-gateway/provider-http';
import { AnthropicAdapter } from '@ai-gateway/providers-anthropic';
import { AzureOpenAiAdapter } from '@ai-gateway/providers-azure-openai';
import { BedrockAdapter } from '@ai-gateway/providers-bedrock';
import { GeminiAdapter } from '@ai-gateway/providers-gemini';
import { OpenAiAdapter } from '@ai-gateway/providers-openai';

/** What every adapter is built from: its own connection pool to its provider, and where unexpected failures are logged. */
export interface AdapterDependencies {
  upstream: UpstreamClient;
  logUnexpected: LogUnexpected;
  /** The Entra ID authority host (AZURE_AUTHORITY_HOST) for kinds that get tokens there. */
  authorityHost?: string;
}

export type AdapterFactory = (dependencies: AdapterDependencies) => ProviderAdapter;

/**
 * Every provider kind the gateway can serve, one line each. Adding a kind is one line here;
 * the router, the adapter service and the chart learn it from this list.
 */
export const ADAPTER_FACTORIES: Readonly<Record<string, AdapterFactory>> = {
  openai: ({ upstream, logUnexpected }) => new OpenAiAdapter(upstream, logUnexpected),
  anthropic: ({ upstream, logUnexpected }) => new AnthropicAdapter(upstream, logUnexpected),
  'azure-openai': ({ upstream, logUnexpected, authorityHost }) => new AzureOpenAiAdapter({ upstream, logUnexpected, authorityHost }),
  bedrock: ({ upstream, logUnexpected }) => new BedrockAdapter(upstream, logUnexpected),
  gemini: ({ upstream, logUnexpected }) => new GeminiAdapter(upstream, logUnexpected),
  vertex: ({ upstream, logUnexpected }) => new GeminiAdapter(upstream, logUnexpected),
};
