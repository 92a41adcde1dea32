import { RpcException } from '@nestjs/microservices';
import type { ChatCompletionRequest, UpstreamRequest } from '@ai-gateway/openai-api';
import type { AdapterRequest, ProviderTarget } from '@ai-gateway/proto';
import { clientRequestGrpcError, type FailureContext } from '@ai-gateway/provider-http';
import { anthropicChatTranslator } from '@ai-gateway/providers-anthropic';
import { clientHeaders } from './adapter.mapping';

/**
 * The Anthropic Messages request for the client's OpenAI body. Whatever fails here — invalid
 * JSON, a translation refusal, a body too deep to serialise, a wrong type — is the client's
 * request: INVALID_ARGUMENT with FAULT_CLIENT_REQUEST, never an internal error text.
 */
export function toUpstreamRequest(
  request: AdapterRequest,
  target: ProviderTarget,
  stream: boolean,
  logUnexpected: FailureContext['logUnexpected'],
): UpstreamRequest {
  try {
    const body = JSON.parse(Buffer.from(request.body).toString('utf8')) as ChatCompletionRequest;
    return anthropicChatTranslator.request(
      { ...body, stream },
      { model: target.model, maxOutputTokens: target.maxOutputTokens },
      target.apiKey,
      clientHeaders(request.headers),
    );
  } catch (error) {
    throw new RpcException(clientRequestGrpcError(target.providerId, error, logUnexpected));
  }
}
