import { RpcException } from '@nestjs/microservices';
import { OpenAiRequestError, type ChatCompletionRequest, type UpstreamRequest } from '@ai-gateway/openai-api';
import type { AdapterRequest, ProviderTarget } from '@ai-gateway/proto';
import { anthropicChatTranslator } from '@ai-gateway/providers-anthropic';
import { invalidRequestGrpcError, unreadableRequestGrpcError } from './adapter.errors';
import { clientHeaders } from './adapter.mapping';

/** The Anthropic Messages request for the client's OpenAI body; failures are INVALID_ARGUMENT RpcExceptions. */
export function toUpstreamRequest(request: AdapterRequest, target: ProviderTarget, stream: boolean): UpstreamRequest {
  let body: ChatCompletionRequest;
  try {
    body = JSON.parse(Buffer.from(request.body).toString('utf8')) as ChatCompletionRequest;
  } catch {
    throw new RpcException(unreadableRequestGrpcError(target.providerId, 'the body is not valid JSON.'));
  }
  try {
    return anthropicChatTranslator.request(
      { ...body, stream },
      { model: target.model, maxOutputTokens: target.maxOutputTokens },
      target.apiKey,
      clientHeaders(request.headers),
    );
  } catch (error) {
    if (error instanceof OpenAiRequestError) throw new RpcException(invalidRequestGrpcError(target.providerId, error));
    throw new RpcException(unreadableRequestGrpcError(target.providerId, error instanceof Error ? error.message : String(error)));
  }
}
