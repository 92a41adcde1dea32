import type { ChatCompletionRequest } from '@ai-gateway/openai-api';
import { httpError, type HttpError } from './openai-http-error';

const ROLES = new Set(['system', 'developer', 'user', 'assistant', 'tool', 'function']);

/** Checks the fields the gateway relies on; everything else passes through to the provider. */
export function validateChatRequest(body: unknown): { request: ChatCompletionRequest } | { error: HttpError } {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return { error: httpError(400, 'The request body must be a JSON object.') };
  }
  const request = body as Record<string, unknown>;
  if (typeof request.model !== 'string' || request.model.length === 0) {
    return { error: httpError(400, "'model' is required and must be a string.", null, 'model') };
  }
  if (!Array.isArray(request.messages) || request.messages.length === 0) {
    return { error: httpError(400, "'messages' must be a non-empty array.", null, 'messages') };
  }
  for (let i = 0; i < request.messages.length; i++) {
    const message = request.messages[i] as Record<string, unknown> | null;
    if (typeof message !== 'object' || message === null || typeof message.role !== 'string' || !ROLES.has(message.role)) {
      return { error: httpError(400, `'messages[${i}].role' must be one of system, developer, user, assistant, tool.`, null, `messages[${i}].role`) };
    }
    if (message.role === 'tool' && typeof message.tool_call_id !== 'string') {
      return { error: httpError(400, `'messages[${i}].tool_call_id' is required for tool messages.`, null, `messages[${i}].tool_call_id`) };
    }
  }
  if (request.stream !== undefined && request.stream !== null && typeof request.stream !== 'boolean') {
    return { error: httpError(400, "'stream' must be a boolean.", null, 'stream') };
  }
  for (const field of ['temperature', 'top_p', 'max_tokens', 'max_completion_tokens', 'n'] as const) {
    const value = request[field];
    if (value !== undefined && value !== null && (typeof value !== 'number' || !Number.isFinite(value))) {
      return { error: httpError(400, `'${field}' must be a number.`, null, field) };
    }
  }
  if (typeof request.temperature === 'number' && (request.temperature < 0 || request.temperature > 2)) {
    return { error: httpError(400, "'temperature' must be between 0 and 2.", null, 'temperature') };
  }
  return { request: request as ChatCompletionRequest };
}

export function validateEmbeddingsRequest(body: unknown): { model: string } | { error: HttpError } {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return { error: httpError(400, 'The request body must be a JSON object.') };
  const request = body as Record<string, unknown>;
  if (typeof request.model !== 'string' || request.model.length === 0) return { error: httpError(400, "'model' is required and must be a string.", null, 'model') };
  const input = request.input;
  const valid = typeof input === 'string' || (Array.isArray(input) && input.length > 0);
  if (!valid) return { error: httpError(400, "'input' must be a string or a non-empty array.", null, 'input') };
  return { model: request.model };
}
