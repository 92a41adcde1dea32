import type { FinishReason } from '@ai-gateway/openai-api';

// Gemini FinishReason (ai.google.dev/api/generate-content#FinishReason) → OpenAI finish_reason.
// Gemini says STOP after function calls too: a candidate with function calls is `tool_calls`
// whatever its reason (unless it was cut short or filtered).
const CONTENT_FILTER = new Set(['SAFETY', 'RECITATION', 'BLOCKLIST', 'PROHIBITED_CONTENT', 'SPII', 'IMAGE_SAFETY', 'IMAGE_PROHIBITED_CONTENT', 'IMAGE_RECITATION']);

/** The OpenAI finish reason of a finished candidate; unknown and new reasons read as `stop`. */
export function toFinishReason(reason: string | undefined, hasFunctionCalls: boolean): FinishReason {
  if (reason === 'MAX_TOKENS') return 'length';
  if (reason !== undefined && CONTENT_FILTER.has(reason)) return 'content_filter';
  return hasFunctionCalls ? 'tool_calls' : 'stop';
}
