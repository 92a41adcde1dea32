import type { ChatCompletionRequest, UpstreamRequest } from '@ai-gateway/openai-api';
import { Fault, type AdapterRequest, type Header, type ProviderTarget } from '@ai-gateway/proto';
import { gatewayGrpcError, GrpcStatus, type GatewayGrpcErrorShape } from '@ai-gateway/service-kit';
import { anthropicChatTranslator } from './anthropic.translator';

/**
 * The Anthropic Messages request for the client's OpenAI body. It throws on invalid JSON, a
 * translation refusal or a body too deep to serialise: the caller (ProviderAttempt.translate)
 * reports each as the client's request.
 */
export function toAnthropicHttpRequest(request: AdapterRequest, target: ProviderTarget, stream: boolean): UpstreamRequest {
  const body = JSON.parse(Buffer.from(request.body).toString('utf8')) as ChatCompletionRequest;
  return anthropicChatTranslator.request(
    { ...body, stream },
    { model: target.model, maxOutputTokens: target.maxOutputTokens },
    target.apiKey,
    clientHeaders(request.headers),
  );
}

/** The client's forwarded headers (gRPC list) as a record keyed by lowercase name. */
export function clientHeaders(headers: readonly Header[]): Record<string, string> {
  return Object.fromEntries(headers.map(({ name, value }) => [name.toLowerCase(), value]));
}

export function embeddingsUnsupportedError(providerId: string): GatewayGrpcErrorShape {
  return gatewayGrpcError(GrpcStatus.UNIMPLEMENTED, `provider ${providerId} (Anthropic) has no embeddings API.`, {
    provider: providerId,
    openaiErrorType: 'invalid_request_error',
    openaiErrorCode: 'unsupported_endpoint',
    fault: Fault.FAULT_CLIENT_REQUEST,
  });
}
