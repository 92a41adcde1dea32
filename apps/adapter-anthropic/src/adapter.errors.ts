import { Fault } from '@ai-gateway/proto';
import { gatewayGrpcError, GrpcStatus, type GatewayGrpcErrorShape } from '@ai-gateway/service-kit';

export function embeddingsUnsupportedGrpcError(providerId: string): GatewayGrpcErrorShape {
  return gatewayGrpcError(GrpcStatus.UNIMPLEMENTED, `provider ${providerId} (Anthropic) has no embeddings API.`, {
    provider: providerId,
    openaiErrorType: 'invalid_request_error',
    openaiErrorCode: 'unsupported_endpoint',
    fault: Fault.FAULT_CLIENT_REQUEST,
  });
}
