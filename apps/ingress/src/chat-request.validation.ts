import type { ChatCompletionRequest } from '@ai-gateway/openai-api';
import { httpError, type HttpError } from './openai-http-error';
import { MAX_EMBEDDING_INPUTS, MAX_MESSAGES, MAX_MODEL_NAME_LENGTH, MAX_STOP_SEQUENCES, MAX_TOOLS } from './edge-limits';

const ROLES = new Set(['system', 'developer', 'user', 'assistant', 'tool', 'function']);

/** Checks the fields the gateway relies on; everything else passes through to the provider. */
export function validateChatRequest(body: unknown): { request: ChatCompletionRequest } | { error: HttpError } {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return { error: httpError(400, 'The request body must be a JSON object.') };
  }
  const request = body as Record<string, unknown>;
  const modelError = validateModel(request.model);
  if (modelError) return { error: modelError };
  if (!Array.isArray(request.messages) || request.messages.length === 0) {
    return { error: httpError(400, "'messages' must be a non-empty array.", null, 'messages') };
  }
  if (request.messages.length > MAX_MESSAGES) {
    return { error: limitError('messages', `at most ${MAX_MESSAGES} messages`) };
  }
  if (request.tools !== undefined && request.tools !== null) {
    if (!Array.isArray(request.tools)) return { error: httpError(400, "'tools' must be an array.", null, 'tools') };
    if (request.tools.length > MAX_TOOLS) return { error: limitError('tools', `at most ${MAX_TOOLS} tools`) };
  }
  if (Array.isArray(request.stop) && request.stop.length > MAX_STOP_SEQUENCES) {
    return { error: limitError('stop', `at most ${MAX_STOP_SEQUENCES} stop sequences`) };
  }
  if (request.stream_options !== undefined && request.stream_options !== null) {
    const options = request.stream_options as Record<string, unknown>;
    if (typeof options !== 'object' || Array.isArray(options)) return { error: httpError(400, "'stream_options' must be an object.", null, 'stream_options') };
    if (options.include_usage !== undefined && typeof options.include_usage !== 'boolean') {
      return { error: httpError(400, "'stream_options.include_usage' must be a boolean.", null, 'stream_options.include_usage') };
    }
  }
  for (let i = 0; i < request.messages.length; i++) {
    const message = request.messages[i] as Record<string, unknown> | null;
    if (typeof message !== 'object' || message === null || typeof message.role !== 'string' || !ROLES.has(message.role)) {
      return { error: httpError(400, `'messages[${i}].role' must be one of system, developer, user, assistant, tool.`, null, `messages[${i}].role`) };
    }
    if (message.role === 'tool' && typeof message.tool_call_id !== 'string') {
      return { error: httpError(400, `'messages[${i}].tool_call_id' is required for tool messages.`, null, `messages[${i}].tool_call_id`) };
    }
    const content = message.content;
    if (content !== undefined && content !== null && typeof content !== 'string' && !Array.isArray(content)) {
      return { error: httpError(400, `'messages[${i}].content' must be a string or an array of content parts.`, null, `messages[${i}].content`) };
    }
    if (Array.isArray(content) && content.some((part) => typeof part !== 'object' || part === null || Array.isArray(part))) {
      return { error: httpError(400, `'messages[${i}].content' parts must be objects.`, null, `messages[${i}].content`) };
    }
    if (message.tool_calls !== undefined && message.tool_calls !== null && !Array.isArray(message.tool_calls)) {
      return { error: httpError(400, `'messages[${i}].tool_calls' must be an array.`, null, `messages[${i}].tool_calls`) };
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
  const modelError = validateModel(request.model);
  if (modelError) return { error: modelError };
  const input = request.input;
  const valid = typeof input === 'string' || (Array.isArray(input) && input.length > 0);
  if (!valid) return { error: httpError(400, "'input' must be a string or a non-empty array.", null, 'input') };
  if (Array.isArray(input) && input.length > MAX_EMBEDDING_INPUTS) return { error: limitError('input', `at most ${MAX_EMBEDDING_INPUTS} inputs`) };
  return { model: request.model as string };
}

function validateModel(model: unknown): HttpError | undefined {
  if (typeof model !== 'string' || model.length === 0) return httpError(400, "'model' is required and must be a string.", null, 'model');
  if (model.length > MAX_MODEL_NAME_LENGTH) return limitError('model', `at most ${MAX_MODEL_NAME_LENGTH} characters`);
  return undefined;
}

function limitError(param: string, limit: string): HttpError {
  return httpError(400, `'${param}' is over the gateway's limit: ${limit}.`, 'limit_exceeded', param);
}
