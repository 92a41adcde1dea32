import type { ChatCompletionRequest } from '@ai-gateway/openai-api';
import type { BedrockInferenceConfig, ConverseRequest } from './bedrock.types';
import { invalidParameter } from './invalid-parameter';
import { toBedrockConversation } from './openai-to-bedrock.messages';
import { assertTranslatableShape } from './openai-to-bedrock.shape';
import { toBedrockToolConfig } from './openai-to-bedrock.tools';
import { rejectUnsupportedParameters } from './openai-to-bedrock.unsupported';
import { toolBlocksAsText } from './tool-blocks-as-text';

/**
 * The Converse body for an OpenAI chat request (the model is in the path, not the body);
 * throws OpenAiRequestError (400) for what Converse cannot honour. Sampling values pass as
 * they are: the model on Bedrock checks its own ranges and its 400 goes back to the client.
 */
export function toConverseRequest(request: unknown): ConverseRequest {
  assertTranslatableShape(request);
  rejectUnsupportedParameters(request);
  const { system, messages, hasToolBlocks } = toBedrockConversation(request.messages);
  const toolConfig = toBedrockToolConfig(request);
  const inferenceConfig = toInferenceConfig(request);
  return {
    messages: hasToolBlocks && !toolConfig ? messages.map(toolBlocksAsText) : messages,
    ...(system ? { system } : {}),
    ...(Object.keys(inferenceConfig).length > 0 ? { inferenceConfig } : {}),
    ...(toolConfig ? { toolConfig } : {}),
  };
}

function toInferenceConfig(request: ChatCompletionRequest): BedrockInferenceConfig {
  const maxTokens = requestedMaxTokens(request);
  const stopSequences = request.stop == null ? [] : typeof request.stop === 'string' ? [request.stop] : request.stop;
  return {
    ...(maxTokens !== undefined ? { maxTokens } : {}),
    ...(request.temperature != null ? { temperature: request.temperature } : {}),
    ...(request.top_p != null ? { topP: request.top_p } : {}),
    ...(stopSequences.length > 0 ? { stopSequences } : {}),
  };
}

/** The client's output limit; without one the model's own default applies (Converse needs none). */
function requestedMaxTokens(request: ChatCompletionRequest): number | undefined {
  const param = request.max_completion_tokens != null ? 'max_completion_tokens' : 'max_tokens';
  const requested = request.max_completion_tokens ?? request.max_tokens;
  if (requested == null) return undefined;
  if (!Number.isInteger(requested) || requested < 1) throw invalidParameter(param, `${param} must be a positive integer.`);
  return requested;
}
