export { AzureOpenAiAdapter, AZURE_OPENAI_KIND, type AzureOpenAiAdapterOptions } from './azure-openai.adapter';
export { parseAzureCredential, AzureCredentialError, type AzureCredential, type EntraClientCredentials } from './azure-openai.credentials';
export { azureProviderError, azureStreamError } from './azure-openai.errors';
export { azureUpstreamRequest, azureRequestHeaders } from './azure-openai.request';
export * from './azure-openai.settings';
export { azureDeploymentOf, azureEndpoint, azureOperationUrl, type AzureOperation } from './azure-openai.url';
export { AzureStreamReshaper } from './azure-stream.reshaper';
export {
  EntraTokenCache,
  EntraTokenError,
  TOKEN_REFRESH_MARGIN_MS,
  MAX_CACHED_TOKENS,
  REFUSAL_BACKOFF_MS,
  MAX_REFUSAL_BACKOFF_MS,
  type TokenEndpointPost,
} from './entra-token.cache';
export { authorityHostOf, entraTokenRequest, readEntraToken, entraTokenError, COGNITIVE_SERVICES_SCOPE, DEFAULT_AUTHORITY_HOST } from './entra-token.wire';
