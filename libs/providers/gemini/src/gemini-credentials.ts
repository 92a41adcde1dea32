import { Fault, type ProviderTarget } from '@ai-gateway/proto';
import { gatewayGrpcError, GrpcStatus, providerGrpcError, type GatewayGrpcErrorShape } from '@ai-gateway/service-kit';
import type { GeminiKind } from './gemini-endpoint';
import { ServiceAccountError } from './vertex-service-account';
import { TokenRefusedError, TokenUnavailableError, type VertexTokenCache } from './vertex-token.cache';

export interface GeminiAuth {
  headers: Record<string, string>;
  /** The Vertex access token sent, to drop it if Google refuses it. */
  bearerToken?: string;
}

/** The auth header of one call: the API key (AI Studio) or a bearer token minted from the service account (Vertex). */
export async function authHeaders(kind: GeminiKind, target: ProviderTarget, tokens: VertexTokenCache, signal: AbortSignal): Promise<GeminiAuth> {
  if (kind === 'gemini') return { headers: { 'x-goog-api-key': target.apiKey } };
  const bearerToken = await tokens.accessToken(target.apiKey, signal);
  return { headers: { authorization: `Bearer ${bearerToken}` }, bearerToken };
}

/**
 * A key that cannot authenticate (unusable service-account JSON, or refused by the token
 * endpoint) as the 401 it amounts to: the router marks the key failing and moves on. A token
 * endpoint that fails (429, 408, 5xx, no usable token) is Google's trouble: retryable, as the
 * 429 or 503 it amounts to. The text names what is wrong, never the key.
 */
export function credentialGrpcError(providerId: string, error: unknown): GatewayGrpcErrorShape | undefined {
  if (error instanceof TokenUnavailableError) {
    return providerGrpcError(providerId, {
      status: 502,
      upstreamStatus: error.status === 429 ? 429 : 503,
      type: 'api_error',
      code: 'vertex_token_unavailable',
      param: null,
      message: `provider ${providerId}: ${error.message}`,
      retryable: true,
    });
  }
  if (!(error instanceof ServiceAccountError) && !(error instanceof TokenRefusedError)) return undefined;
  return providerGrpcError(providerId, {
    status: 401,
    upstreamStatus: 401,
    type: 'authentication_error',
    code: 'invalid_api_key',
    param: null,
    message: `provider ${providerId}: ${error.message}`,
    retryable: false,
  });
}

/** The provider's settings cannot form a URL (a Vertex provider without project): the operator's to fix. */
export function misconfiguredGrpcError(providerId: string, reason: string): GatewayGrpcErrorShape {
  return gatewayGrpcError(GrpcStatus.UNAVAILABLE, `provider ${providerId} is misconfigured: ${reason}`, {
    provider: providerId,
    retryable: true,
    openaiErrorType: 'api_error',
    openaiErrorCode: 'provider_misconfigured',
    fault: Fault.FAULT_PROVIDER_CONNECTION,
  });
}
