import type { AnthropicClientMessagesRequest } from '@ai-gateway/providers-anthropic';
import { httpError, type HttpError } from './openai-http-error';
import { MAX_ANTHROPIC_STOP_SEQUENCES, MAX_CONTENT_BLOCKS, MAX_MESSAGES, MAX_MODEL_NAME_LENGTH, MAX_TOOLS } from './edge-limits';

type Validated = { request: AnthropicClientMessagesRequest } | { error: HttpError };

/**
 * Checks the fields of an Anthropic Messages request the gateway relies on (model, max_tokens,
 * the turns and their blocks' shape, limits); everything else passes through to the provider.
 * `countOnly` is for /v1/messages/count_tokens, which takes no max_tokens.
 */
export function validateMessagesRequest(body: unknown, countOnly = false): Validated {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return { error: invalid('The request body must be a JSON object.') };
  const request = body as Record<string, unknown>;
  const problem =
    modelProblem(request.model) ??
    (countOnly ? undefined : maxTokensProblem(request.max_tokens)) ??
    messagesProblem(request.messages) ??
    systemProblem(request.system) ??
    listProblem(request.tools, 'tools', MAX_TOOLS) ??
    listProblem(request.stop_sequences, 'stop_sequences', MAX_ANTHROPIC_STOP_SEQUENCES) ??
    typeProblem(request.stream, 'stream', 'boolean') ??
    rangeProblem(request.temperature, 'temperature', 0, 1) ??
    rangeProblem(request.top_p, 'top_p', 0, 1) ??
    typeProblem(request.top_k, 'top_k', 'number');
  return problem ? { error: problem } : { request: request as unknown as AnthropicClientMessagesRequest };
}

function modelProblem(model: unknown): HttpError | undefined {
  if (typeof model !== 'string' || model.length === 0) return invalid('model: Field required and must be a string.', 'model');
  if (model.length > MAX_MODEL_NAME_LENGTH) return limit('model', `at most ${MAX_MODEL_NAME_LENGTH} characters`);
  return undefined;
}

/** 0 is Anthropic's way to fill the prompt cache without an answer. */
function maxTokensProblem(maxTokens: unknown): HttpError | undefined {
  if (!Number.isInteger(maxTokens) || (maxTokens as number) < 0) return invalid('max_tokens: Field required and must be a non-negative integer.', 'max_tokens');
  return undefined;
}

function messagesProblem(messages: unknown): HttpError | undefined {
  if (!Array.isArray(messages) || messages.length === 0) return invalid('messages: Field required and must be a non-empty array.', 'messages');
  if (messages.length > MAX_MESSAGES) return limit('messages', `at most ${MAX_MESSAGES} messages`);
  for (let i = 0; i < messages.length; i++) {
    const message = messages[i] as Record<string, unknown> | null;
    if (typeof message !== 'object' || message === null || (message.role !== 'user' && message.role !== 'assistant' && message.role !== 'system')) {
      return invalid(`messages.${i}.role: Input should be 'user', 'assistant' or 'system'.`, `messages.${i}.role`);
    }
    const problem = contentProblem(message.content, `messages.${i}.content`);
    if (problem) return problem;
  }
  return undefined;
}

function contentProblem(content: unknown, param: string): HttpError | undefined {
  if (typeof content === 'string') return undefined;
  if (!Array.isArray(content)) return invalid(`${param}: Input should be a string or a list of content blocks.`, param);
  if (content.length > MAX_CONTENT_BLOCKS) return limit(param, `at most ${MAX_CONTENT_BLOCKS} content blocks`);
  const bad = content.findIndex((block) => typeof block !== 'object' || block === null || typeof (block as { type?: unknown }).type !== 'string');
  return bad >= 0 ? invalid(`${param}.${bad}: Content blocks must be objects with a string type.`, `${param}.${bad}`) : undefined;
}

function systemProblem(system: unknown): HttpError | undefined {
  if (system === undefined || system === null || typeof system === 'string') return undefined;
  return contentProblem(system, 'system');
}

function listProblem(value: unknown, param: string, max: number): HttpError | undefined {
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value)) return invalid(`${param}: Input should be a list.`, param);
  if (value.length > max) return limit(param, `at most ${max} entries`);
  if (value.some((entry) => entry === null || (typeof entry !== 'object' && typeof entry !== 'string'))) return invalid(`${param}: Entries must be objects or strings.`, param);
  return undefined;
}

function typeProblem(value: unknown, param: string, type: 'boolean' | 'number'): HttpError | undefined {
  if (value === undefined || value === null || typeof value === type) return undefined;
  return invalid(`${param}: Input should be a valid ${type}.`, param);
}

function rangeProblem(value: unknown, param: string, min: number, max: number): HttpError | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) {
    return invalid(`${param}: Input should be a number between ${min} and ${max}.`, param);
  }
  return undefined;
}

function invalid(message: string, param: string | null = null): HttpError {
  return httpError(400, message, null, param);
}

function limit(param: string, bound: string): HttpError {
  return httpError(400, `${param}: over the gateway's limit: ${bound}.`, 'limit_exceeded', param);
}
