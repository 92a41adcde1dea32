import type { ChatCompletionRequest } from '@ai-gateway/openai-api';
import { invalidParameter } from './invalid-parameter';

// The JSON types the translation reads, checked before it reads them: a client's wrong type
// (`"content": 5`, `"tools": {}`) is a 400 naming the field, never a TypeError from inside the
// translation reaching the client as an internal error.

type Json = unknown;

const isObject = (value: Json): value is Record<string, Json> => typeof value === 'object' && value !== null && !Array.isArray(value);
const isAbsent = (value: Json): boolean => value === undefined || value === null;

function requireType(ok: boolean, param: string, expected: string): void {
  if (!ok) throw invalidParameter(param, `${param} must be ${expected}.`);
}

/** Throws a 400 naming the first field whose JSON type the translation cannot read. */
export function assertTranslatableShape(request: unknown): asserts request is ChatCompletionRequest {
  requireType(isObject(request), 'body', 'a JSON object');
  const body = request as Record<string, Json>;
  requireType(Array.isArray(body.messages), 'messages', 'an array of messages');
  (body.messages as Json[]).forEach((message, i) => checkMessage(message, `messages[${i}]`));
  if (!isAbsent(body.tools)) {
    requireType(Array.isArray(body.tools), 'tools', 'an array of tools');
    (body.tools as Json[]).forEach((tool, i) => {
      requireType(isObject(tool), `tools[${i}]`, 'an object');
      const fn = (tool as Record<string, Json>).function;
      requireType(isObject(fn), `tools[${i}].function`, 'an object');
      requireType(typeof (fn as Record<string, Json>).name === 'string', `tools[${i}].function.name`, 'a string');
      const description = (fn as Record<string, Json>).description;
      requireType(isAbsent(description) || typeof description === 'string', `tools[${i}].function.description`, 'a string');
      const parameters = (fn as Record<string, Json>).parameters;
      requireType(isAbsent(parameters) || isObject(parameters), `tools[${i}].function.parameters`, 'a JSON schema object');
    });
  }
  if (!isAbsent(body.stop)) {
    const stop = body.stop;
    requireType(typeof stop === 'string' || (Array.isArray(stop) && stop.every((s) => typeof s === 'string')), 'stop', 'a string or an array of strings');
  }
  for (const param of ['temperature', 'top_p', 'max_tokens', 'max_completion_tokens', 'n', 'top_logprobs', 'frequency_penalty', 'presence_penalty', 'seed']) {
    requireType(isAbsent(body[param]) || typeof body[param] === 'number', param, 'a number');
  }
  for (const param of ['logit_bias', 'response_format', 'stream_options']) {
    requireType(isAbsent(body[param]) || isObject(body[param]), param, 'an object');
  }
  if (isObject(body.response_format)) {
    requireType(typeof body.response_format.type === 'string', 'response_format.type', 'a string');
    const schema = body.response_format.json_schema;
    requireType(isAbsent(schema) || isObject(schema), 'response_format.json_schema', 'an object');
  }
  requireType(isAbsent(body.modalities) || Array.isArray(body.modalities), 'modalities', 'an array');
}

function checkMessage(message: Json, param: string): void {
  requireType(isObject(message), param, 'an object');
  const { role, content, tool_calls: toolCalls, tool_call_id: toolCallId } = message as Record<string, Json>;
  requireType(typeof role === 'string', `${param}.role`, 'a string');
  if (role === 'user' || role === 'tool') {
    requireType(typeof content === 'string' || Array.isArray(content), `${param}.content`, 'a string or an array of content parts');
  } else {
    requireType(isAbsent(content) || typeof content === 'string' || Array.isArray(content), `${param}.content`, 'a string, an array of content parts or null');
  }
  if (Array.isArray(content)) content.forEach((part, j) => checkPart(part, `${param}.content[${j}]`, role === 'user'));
  if (role === 'tool') requireType(typeof toolCallId === 'string', `${param}.tool_call_id`, 'a string');
  if (role === 'assistant' && !isAbsent(toolCalls)) {
    requireType(Array.isArray(toolCalls), `${param}.tool_calls`, 'an array of tool calls');
    (toolCalls as Json[]).forEach((call, j) => {
      const at = `${param}.tool_calls[${j}]`;
      requireType(isObject(call), at, 'an object');
      requireType(typeof (call as Record<string, Json>).id === 'string', `${at}.id`, 'a string');
      const fn = (call as Record<string, Json>).function;
      requireType(isObject(fn), `${at}.function`, 'an object');
      requireType(typeof (fn as Record<string, Json>).name === 'string', `${at}.function.name`, 'a string');
      requireType(typeof (fn as Record<string, Json>).arguments === 'string', `${at}.function.arguments`, 'a string');
    });
  }
}

function checkPart(part: Json, param: string, userPart: boolean): void {
  requireType(isObject(part), param, 'an object');
  const { type, text, refusal } = part as Record<string, Json>;
  requireType(typeof type === 'string', `${param}.type`, 'a string');
  // An assistant turn may hold a refusal part (it reads as what the assistant said).
  if (type === 'refusal' && !userPart) requireType(typeof refusal === 'string', `${param}.refusal`, 'a string');
  else if (type === 'text' || !userPart) requireType(typeof text === 'string', `${param}.text`, 'a string');
}
