import type { ChatCompletionRequest, TranslationTarget, UpstreamRequest } from '@ai-gateway/openai-api';
import { ANTHROPIC_MESSAGES_PATH, ANTHROPIC_VERSION, type AnthropicMessagesRequest } from './anthropic.types';
import { invalidParameter } from './invalid-parameter';
import { toAnthropicConversation } from './openai-to-anthropic.messages';
import { toAnthropicToolFields } from './openai-to-anthropic.tools';
import { assertTranslatableShape } from './openai-to-anthropic.shape';
import { rejectUnsupportedParameters } from './openai-to-anthropic.unsupported';

/** Used when neither the client nor the model catalog gives an output limit; Anthropic requires one. */
export const DEFAULT_MAX_TOKENS = 4096;

/** The Anthropic Messages body for an OpenAI chat request; throws OpenAiRequestError (400) for what Anthropic cannot honour. */
export function toAnthropicMessagesRequest(
  request: ChatCompletionRequest,
  target: TranslationTarget,
): AnthropicMessagesRequest {
  assertTranslatableShape(request);
  rejectUnsupportedParameters(request);
  const { system, messages } = toAnthropicConversation(request.messages);
  const temperature = anthropicTemperature(request.temperature);
  const stopSequences = toStopSequences(request.stop);
  return {
    model: target.model,
    max_tokens: maxTokens(request, target),
    ...(system !== undefined ? { system } : {}),
    messages,
    ...toAnthropicToolFields(request),
    ...(stopSequences ? { stop_sequences: stopSequences } : {}),
    ...(temperature !== undefined ? { temperature } : {}),
    ...(request.top_p != null ? { top_p: request.top_p } : {}),
    ...(typeof request.user === 'string' && request.user !== '' ? { metadata: { user_id: request.user } } : {}),
    ...(request.stream === true ? { stream: true } : {}),
  };
}

/** The HTTP request to POST to `{ANTHROPIC_BASE_URL}/v1/messages`. */
export function toAnthropicUpstreamRequest(
  request: ChatCompletionRequest,
  target: TranslationTarget,
  apiKey: string,
  clientHeaders: Record<string, string>,
): UpstreamRequest {
  const body = toAnthropicMessagesRequest(request, target);
  const beta = clientHeaders['anthropic-beta'];
  return {
    path: ANTHROPIC_MESSAGES_PATH,
    headers: {
      'x-api-key': apiKey,
      'anthropic-version': ANTHROPIC_VERSION,
      'content-type': 'application/json',
      ...(beta ? { 'anthropic-beta': beta } : {}),
    },
    body: JSON.stringify(body),
  };
}

function maxTokens(request: ChatCompletionRequest, target: TranslationTarget): number {
  const param = request.max_completion_tokens != null ? 'max_completion_tokens' : 'max_tokens';
  const requested = request.max_completion_tokens ?? request.max_tokens;
  if (requested == null) return target.maxOutputTokens > 0 ? target.maxOutputTokens : DEFAULT_MAX_TOKENS;
  if (!Number.isInteger(requested) || requested < 1) {
    throw invalidParameter(param, `${param} must be a positive integer.`);
  }
  return requested;
}

/**
 * OpenAI accepts temperature 0–2, Anthropic 0–1. Decision: values above 1 are refused with a
 * 400 rather than clamped or rescaled, so the gateway never silently changes how a model samples.
 */
function anthropicTemperature(temperature: number | null | undefined): number | undefined {
  if (temperature == null) return undefined;
  if (temperature < 0 || temperature > 1) {
    throw invalidParameter('temperature', `temperature must be between 0 and 1 for this model; got ${temperature}.`);
  }
  return temperature;
}

function toStopSequences(stop: ChatCompletionRequest['stop']): string[] | undefined {
  if (stop == null) return undefined;
  const sequences = typeof stop === 'string' ? [stop] : stop;
  return sequences.length > 0 ? sequences : undefined;
}
