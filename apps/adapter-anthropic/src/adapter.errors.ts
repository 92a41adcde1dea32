import type { OpenAiRequestError } from '@ai-gateway/openai-api';
import { gatewayGrpcError, GrpcStatus, type GatewayGrpcErrorShape } from '@ai-gateway/service-kit';

/**
 * A request Anthropic cannot honour. No upstream status: the router reads INVALID_ARGUMENT
 * without one as the client's own error and does not fall back.
 */
export function invalidRequestGrpcError(providerId: string, error: OpenAiRequestError): GatewayGrpcErrorShape {
  return gatewayGrpcError(GrpcStatus.INVALID_ARGUMENT, error.message, {
    provider: providerId,
    openaiErrorType: error.type,
    openaiErrorCode: error.code ?? '',
    param: error.param ?? '',
  });
}

export function unreadableRequestGrpcError(providerId: string, reason: string): GatewayGrpcErrorShape {
  return gatewayGrpcError(GrpcStatus.INVALID_ARGUMENT, `The request could not be read: ${reason}`, {
    provider: providerId,
    openaiErrorType: 'invalid_request_error',
  });
}

export function badUpstreamResponseGrpcError(providerId: string, upstreamStatus: number): GatewayGrpcErrorShape {
  return gatewayGrpcError(GrpcStatus.UNAVAILABLE, `provider ${providerId} sent an unreadable answer`, {
    provider: providerId,
    upstreamHttpStatus: upstreamStatus,
    retryable: true,
    openaiErrorType: 'api_error',
    openaiErrorCode: 'bad_upstream_response',
  });
}

export function embeddingsUnsupportedGrpcError(providerId: string): GatewayGrpcErrorShape {
  return gatewayGrpcError(GrpcStatus.UNIMPLEMENTED, `provider ${providerId} (Anthropic) has no embeddings API.`, {
    provider: providerId,
    openaiErrorType: 'invalid_request_error',
    openaiErrorCode: 'unsupported_endpoint',
  });
}
