import { Fault, type ProviderTarget } from '@ai-gateway/proto';
import { gatewayGrpcError, GrpcStatus, type GatewayGrpcErrorShape } from '@ai-gateway/service-kit';
import { BedrockKeyError, parseBedrockKey, type BedrockCredentials } from './bedrock-credentials';
import { bedrockEndpoint, BedrockEndpointError, type BedrockEndpoint } from './bedrock-endpoint';

/** Where and as whom one provider's requests go: its endpoint and signing region, and its credentials. */
export interface BedrockCall {
  endpoint: BedrockEndpoint;
  credentials: BedrockCredentials;
}

/**
 * The provider's endpoint (baseUrl, settings.region) and its key read as credentials. When
 * either cannot be used it throws the operator's failure: reported like a key the provider
 * refused (401), so the router moves to the next candidate and shows this provider's key
 * failing — the message says why, never quoting the key.
 */
export function bedrockCallOf(target: ProviderTarget): BedrockCall {
  try {
    return { endpoint: bedrockEndpoint(target.baseUrl, target.settings), credentials: parseBedrockKey(target.apiKey) };
  } catch (error) {
    if (error instanceof BedrockEndpointError || error instanceof BedrockKeyError) throw misconfigured(target.providerId, error.message);
    throw error;
  }
}

function misconfigured(providerId: string, reason: string): GatewayGrpcErrorShape {
  return gatewayGrpcError(GrpcStatus.UNAUTHENTICATED, `provider ${providerId} cannot be called: ${reason}`, {
    provider: providerId,
    upstreamHttpStatus: 401,
    openaiErrorType: 'authentication_error',
    openaiErrorCode: 'provider_misconfigured',
    fault: Fault.FAULT_PROVIDER_HTTP,
  });
}
