import type { Provider } from '@ai-gateway/proto';
import type { ConfigEnv } from './config.env';
import { emptySettings } from './provider-settings.validation';

export type SeedProvider = Pick<Provider, 'id' | 'kind' | 'baseUrl' | 'settings'>;

const BEDROCK_HOST = /^bedrock-runtime(?:-fips)?\.([a-z0-9-]+)\.amazonaws\.com$/;

/**
 * The providers a new installation starts with (first start only; an operator's changes are
 * kept): OpenAI, Anthropic, Gemini and Bedrock at their public endpoints, Azure OpenAI when a
 * resource endpoint is given. None serves anything until it holds a key.
 */
export function seedProviders(config: Pick<ConfigEnv, 'OPENAI_BASE_URL' | 'ANTHROPIC_BASE_URL' | 'GEMINI_BASE_URL' | 'BEDROCK_ENDPOINT_URL' | 'AWS_REGION' | 'AZURE_OPENAI_ENDPOINT'>): SeedProvider[] {
  const region = bedrockRegion(config.BEDROCK_ENDPOINT_URL) ?? config.AWS_REGION;
  const seeds: SeedProvider[] = [
    { id: 'openai', kind: 'openai', baseUrl: config.OPENAI_BASE_URL, settings: emptySettings() },
    { id: 'anthropic', kind: 'anthropic', baseUrl: config.ANTHROPIC_BASE_URL, settings: emptySettings() },
    { id: 'gemini', kind: 'gemini', baseUrl: config.GEMINI_BASE_URL, settings: emptySettings() },
    {
      id: 'bedrock',
      kind: 'bedrock',
      baseUrl: config.BEDROCK_ENDPOINT_URL || `https://bedrock-runtime.${region}.amazonaws.com`,
      settings: { ...emptySettings(), region },
    },
  ];
  if (config.AZURE_OPENAI_ENDPOINT) {
    seeds.push({ id: 'azure', kind: 'azure-openai', baseUrl: config.AZURE_OPENAI_ENDPOINT, settings: emptySettings() });
  }
  return seeds;
}

function bedrockRegion(endpoint: string): string | undefined {
  try {
    return BEDROCK_HOST.exec(new URL(endpoint).hostname)?.[1];
  } catch {
    return undefined;
  }
}
