import { openAiUpstreamBody, providerHeaderOverrides } from '@ai-gateway/providers-openai';
import { azureSurfaceOf, type AzureOpenAiSettings } from './azure-openai.settings';
import { azureDeploymentOf, azureOperationUrl, type AzureOperation } from './azure-openai.url';

export interface AzureRequestInput {
  /** The client's OpenAI JSON, as it sent it. */
  raw: Uint8Array;
  clientModel: string;
  /** The provider's model id (catalog; aliases resolved; the deployment when the provider maps the model to one). */
  targetModel: string;
  baseUrl: string;
  settings: AzureOpenAiSettings;
  operation: AzureOperation;
  stream: boolean;
  includeUsage: boolean;
}

export interface AzureUpstreamRequest {
  url: string;
  body: Uint8Array | string;
  /** The gateway asked for the usage chunk on the client's behalf: drop it before the client sees it. */
  usageForced: boolean;
  deployment: string;
}

/**
 * The Azure request for the client's body. On the dated surface the deployment in the path
 * picks the model; on the v1 surface `model` must be the deployment. The client's bytes pass
 * untouched unless the v1 surface needs the deployment's name or a stream must ask for usage.
 */
export function azureUpstreamRequest(input: AzureRequestInput): AzureUpstreamRequest {
  const surface = azureSurfaceOf(input.settings);
  const deployment = azureDeploymentOf(input.targetModel);
  const { body, usageForced } = openAiUpstreamBody({
    raw: input.raw,
    clientModel: input.clientModel,
    // The dated surface ignores the body's model (the path's deployment picks it): the client's
    // bytes go as they are, without parsing a body that may be megabytes of images.
    targetModel: surface.kind === 'v1' ? deployment : input.clientModel,
    stream: input.stream,
    includeUsage: input.includeUsage,
  });
  return { url: azureOperationUrl(input.baseUrl, surface, deployment, input.operation), body, usageForced, deployment };
}

/** The credential header (`api-key`, or the Entra bearer token) and the provider's extra headers. */
export function azureRequestHeaders(auth: { apiKey: string } | { bearerToken: string }, settings: AzureOpenAiSettings): Record<string, string> {
  return {
    ...providerHeaderOverrides(settings.headers),
    'content-type': 'application/json',
    accept: 'application/json',
    ...('apiKey' in auth ? { 'api-key': auth.apiKey } : { authorization: `Bearer ${auth.bearerToken}` }),
  };
}
