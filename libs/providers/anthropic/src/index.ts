export { anthropicChatTranslator } from './anthropic.translator';
export { toAnthropicMessagesRequest, toAnthropicUpstreamRequest, DEFAULT_MAX_TOKENS } from './openai-to-anthropic.request';
export { toOpenAiChatCompletion } from './anthropic-to-openai.response';
export { AnthropicStreamParser } from './anthropic-stream.parser';
export { anthropicHttpError, anthropicStreamError, isTransientStatus, redactApiKeys } from './anthropic-errors';
export { anthropicRateLimitHeaders, formatDuration } from './anthropic-rate-limits';
export { toFinishReason } from './anthropic-stop-reason';
export { toOpenAiUsage } from './anthropic-usage';
export * from './anthropic.types';
