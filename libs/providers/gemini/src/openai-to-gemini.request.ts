import type { ChatCompletionRequest, TranslationTarget } from '@ai-gateway/openai-api';
import type { GeminiGenerateContentRequest, GeminiGenerationConfig } from './gemini.types';
import { invalidParameter } from './invalid-parameter';
import { toGeminiConversation } from './openai-to-gemini.contents';
import { toGeminiSchemaField } from './openai-to-gemini.schema-field';
import { assertTranslatableShape } from './openai-to-gemini.shape';
import { toGeminiToolFields } from './openai-to-gemini.tools';
import { toThinkingConfig } from './openai-to-gemini.thinking';
import { rejectUnsupportedParameters } from './openai-to-gemini.unsupported';

/** Gemini accepts at most 5 stop sequences (GenerationConfig.stopSequences). */
const MAX_STOP_SEQUENCES = 5;

/** The generateContent body for an OpenAI chat request; throws OpenAiRequestError (400) for what Gemini cannot honour. */
export function toGeminiGenerateContentRequest(request: unknown, target: TranslationTarget): GeminiGenerateContentRequest {
  assertTranslatableShape(request);
  rejectUnsupportedParameters(request);
  const conversation = toGeminiConversation(request.messages, { placeholderSignatures: requiresThoughtSignatures(target.model) });
  const generationConfig = { ...toGenerationConfig(request), ...toThinkingConfig(request.reasoning_effort, target.model) };
  return {
    ...conversation,
    ...toGeminiToolFields(request),
    ...(Object.keys(generationConfig).length > 0 ? { generationConfig } : {}),
  };
}

/** Gemini 3 and later validate replayed function calls' thought signatures. */
export function requiresThoughtSignatures(model: string): boolean {
  const major = /(?:^|\/)gemini-(\d+)/.exec(model)?.[1];
  return major !== undefined && Number(major) >= 3;
}

function toGenerationConfig(request: ChatCompletionRequest): GeminiGenerationConfig {
  const config: GeminiGenerationConfig = {};
  if (request.temperature != null) config.temperature = inRange(request.temperature, 'temperature', 0, 2);
  if (request.top_p != null) config.topP = inRange(request.top_p, 'top_p', 0, 1);
  const maxTokens = request.max_completion_tokens ?? request.max_tokens;
  if (maxTokens != null) {
    const param = request.max_completion_tokens != null ? 'max_completion_tokens' : 'max_tokens';
    if (!Number.isInteger(maxTokens) || maxTokens < 1) throw invalidParameter(param, `${param} must be a positive integer.`);
    config.maxOutputTokens = maxTokens;
  }
  const stop = request.stop == null ? [] : typeof request.stop === 'string' ? [request.stop] : request.stop;
  if (stop.length > MAX_STOP_SEQUENCES) throw invalidParameter('stop', `Gemini accepts at most ${MAX_STOP_SEQUENCES} stop sequences.`);
  if (stop.length > 0) config.stopSequences = stop;
  if (request.seed != null) {
    if (!Number.isInteger(request.seed)) throw invalidParameter('seed', 'seed must be an integer.');
    config.seed = request.seed;
  }
  if (request.presence_penalty) config.presencePenalty = inRange(request.presence_penalty, 'presence_penalty', -2, 2);
  if (request.frequency_penalty) config.frequencyPenalty = inRange(request.frequency_penalty, 'frequency_penalty', -2, 2);
  Object.assign(config, responseFormat(request.response_format));
  return config;
}

function inRange(value: number, param: string, min: number, max: number): number {
  if (!(value >= min && value <= max)) throw invalidParameter(param, `${param} must be between ${min} and ${max}; got ${value}.`);
  return value;
}

/**
 * `json_object` → JSON output; `json_schema` → JSON output constrained by the schema, in Gemini's
 * Schema subset (`responseSchema`) or, for what that cannot express, as JSON Schema (`responseJsonSchema`).
 */
function responseFormat(format: ChatCompletionRequest['response_format']): Pick<GeminiGenerationConfig, 'responseMimeType' | 'responseSchema' | 'responseJsonSchema'> {
  if (format == null || format.type === 'text') return {};
  if (format.type === 'json_object') return { responseMimeType: 'application/json' };
  if (format.type === 'json_schema') {
    const schema = format.json_schema?.schema;
    if (schema == null) return { responseMimeType: 'application/json' };
    const field = toGeminiSchemaField(schema, 'response_format.json_schema.schema');
    return { responseMimeType: 'application/json', ...('schema' in field ? { responseSchema: field.schema } : { responseJsonSchema: field.jsonSchema }) };
  }
  throw invalidParameter('response_format.type', "response_format.type must be 'text', 'json_object' or 'json_schema'.");
}
