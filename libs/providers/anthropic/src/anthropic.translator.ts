import type { ChatTranslator } from '@ai-gateway/openai-api';
import { anthropicHttpError } from './anthropic-errors';
import { anthropicRateLimitHeaders } from './anthropic-rate-limits';
import { AnthropicStreamParser } from './anthropic-stream.parser';
import { toOpenAiChatCompletion } from './anthropic-to-openai.response';
import { toAnthropicUpstreamRequest } from './openai-to-anthropic.request';

/** OpenAI Chat Completions ⇄ Anthropic Messages (`{ANTHROPIC_BASE_URL}/v1/messages`). */
export const anthropicChatTranslator: ChatTranslator = {
  request: (request, target, apiKey, clientHeaders) => toAnthropicUpstreamRequest(request, target, apiKey, clientHeaders),
  response: (body, target) => toOpenAiChatCompletion(body, target),
  streamParser: (options) => new AnthropicStreamParser(options),
  error: (upstreamStatus, bodyText) => anthropicHttpError(upstreamStatus, bodyText),
  rateLimitHeaders: (headers) => anthropicRateLimitHeaders(headers),
};
