import { OpenAiRequestError } from '@ai-gateway/openai-api';
import type { GeminiJsonSchema, GeminiSchema } from './gemini.types';
import { toGeminiJsonSchema } from './openai-to-gemini.json-schema';
import { toGeminiSchema } from './openai-to-gemini.schema';

/** A client's schema as Gemini takes it: in its Schema object if that can express it, else as JSON Schema. */
export type GeminiSchemaField = { schema: GeminiSchema } | { jsonSchema: GeminiJsonSchema };

/**
 * The Schema object (`parameters`, `responseSchema`) for every schema it can express, as before
 * JSON Schema was supported; JSON Schema (`parametersJsonSchema`, `responseJsonSchema`) for the
 * rest (a free-form map, `oneOf`, a type union); a 400 naming the schema path for what neither
 * can express.
 */
export function toGeminiSchemaField(schema: unknown, param: string): GeminiSchemaField {
  try {
    return { schema: toGeminiSchema(schema, param) };
  } catch (error) {
    if (!(error instanceof OpenAiRequestError)) throw error;
    return { jsonSchema: toGeminiJsonSchema(schema, param) };
  }
}
