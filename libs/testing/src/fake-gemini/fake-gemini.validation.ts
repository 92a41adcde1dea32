import { jsonSchemaProblem } from './fake-gemini.json-schema';
import type { GeminiWirePart, GeminiWireRequest } from './fake-gemini.types';

// What Gemini refuses with 400 INVALID_ARGUMENT, as far as the gateway can get it wrong: unknown
// fields (the API answers `Invalid JSON payload received. Unknown name "…"`), bad roles, empty
// parts, function responses that answer no call, JSON-Schema keywords outside its Schema
// object, a schema given both as Schema object and as JSON Schema (`parameters` and
// `parametersJsonSchema`, `responseSchema` and `responseJsonSchema`: mutually exclusive),
// `responseJsonSchema` without `responseMimeType`, JSON Schema keywords it does not support
// (fake-gemini.json-schema.ts), and — for Gemini 3 models — a replayed function call without the
// thought signature the model issued (ai.google.dev/gemini-api/docs/thought-signatures).

export type Validation = { ok: true; request: GeminiWireRequest } | { ok: false; message: string };

const TOP_LEVEL = new Set(['contents', 'systemInstruction', 'tools', 'toolConfig', 'generationConfig', 'safetySettings', 'cachedContent']);
const PART_FIELDS = new Set(['text', 'thought', 'thoughtSignature', 'functionCall', 'functionResponse', 'inlineData', 'fileData']);
const GENERATION_CONFIG = new Set(['temperature', 'topP', 'topK', 'candidateCount', 'maxOutputTokens', 'stopSequences', 'presencePenalty', 'frequencyPenalty', 'seed', 'responseMimeType', 'responseSchema', 'responseJsonSchema', 'thinkingConfig']);
const DECLARATION_FIELDS = new Set(['name', 'description', 'parameters', 'parametersJsonSchema']);
const SCHEMA_FIELDS = new Set(['type', 'format', 'title', 'description', 'nullable', 'enum', 'maxItems', 'minItems', 'properties', 'required', 'minProperties', 'maxProperties', 'minLength', 'maxLength', 'pattern', 'example', 'anyOf', 'propertyOrdering', 'default', 'items', 'minimum', 'maximum']);
const SCHEMA_TYPES = new Set(['TYPE_UNSPECIFIED', 'STRING', 'NUMBER', 'INTEGER', 'BOOLEAN', 'ARRAY', 'OBJECT', 'NULL']);
/** The documented value that skips signature validation for history Gemini did not produce. */
export const SKIP_SIGNATURE = 'skip_thought_signature_validator';

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

class Invalid extends Error {}

function unknownName(name: string, at: string): Invalid {
  return new Invalid(`Invalid JSON payload received. Unknown name "${name}" at '${at}': Cannot find field.`);
}

/** Checks a generateContent body as Gemini would; `issuedSignatures` are the signatures this fake handed out. */
export function validateGenerateContent(body: unknown, model: string, issuedSignatures: ReadonlySet<string>): Validation {
  try {
    if (!isObject(body)) throw new Invalid('Invalid JSON payload received. Expected an object.');
    for (const name of Object.keys(body)) if (!TOP_LEVEL.has(name)) throw unknownName(name, '');
    if (!Array.isArray(body.contents) || body.contents.length === 0) throw new Invalid('* GenerateContentRequest.contents: contents is not specified');
    body.contents.forEach((content, i) => checkContent(content, i));
    checkFunctionResponses(body.contents as GeminiWireRequest['contents']);
    if (/^gemini-[3-9]/.test(model)) checkSignatures(body.contents as GeminiWireRequest['contents'], issuedSignatures);
    if (body.tools !== undefined) checkTools(body.tools);
    if (body.generationConfig !== undefined) checkGenerationConfig(body.generationConfig);
    return { ok: true, request: body as unknown as GeminiWireRequest };
  } catch (error) {
    if (error instanceof Invalid) return { ok: false, message: error.message };
    throw error;
  }
}

function checkGenerationConfig(config: unknown): void {
  if (!isObject(config)) throw new Invalid('generation_config must be an object');
  for (const name of Object.keys(config)) if (!GENERATION_CONFIG.has(name)) throw unknownName(name, 'generation_config');
  if (config.responseSchema !== undefined) checkSchema(config.responseSchema, 'generation_config.response_schema');
  if (config.responseJsonSchema === undefined) return;
  if (config.responseSchema !== undefined) throw new Invalid('* GenerateContentRequest.generation_config: response_schema and response_json_schema are mutually exclusive; set only one of them.');
  if (config.responseMimeType === undefined) throw new Invalid('* GenerateContentRequest.generation_config.response_mime_type: response_mime_type is required when response_json_schema is set.');
  checkJsonSchema(config.responseJsonSchema, 'generation_config.response_json_schema');
}

function checkContent(content: unknown, i: number): void {
  if (!isObject(content)) throw new Invalid(`contents[${i}] must be an object`);
  if (content.role !== 'user' && content.role !== 'model') throw new Invalid(`Please use a valid role: user, model.`);
  if (!Array.isArray(content.parts) || content.parts.length === 0) throw new Invalid(`* GenerateContentRequest.contents[${i}].parts: contents.parts must not be empty.`);
  content.parts.forEach((part: unknown, j: number) => {
    if (!isObject(part)) throw new Invalid(`contents[${i}].parts[${j}] must be an object`);
    for (const name of Object.keys(part)) if (!PART_FIELDS.has(name)) throw unknownName(name, `contents[${i}].parts[${j}]`);
    if (typeof part.text === 'string' && part.text === '' && !part.thoughtSignature) throw new Invalid('Unable to submit request because it has an empty text parameter.');
    if (part.inlineData !== undefined && (!isObject(part.inlineData) || typeof part.inlineData.data !== 'string' || typeof part.inlineData.mimeType !== 'string')) {
      throw new Invalid(`contents[${i}].parts[${j}].inline_data needs mime_type and data`);
    }
    if (part.functionResponse !== undefined && content.role !== 'user') throw new Invalid('function response parts must be in a user turn');
    if (part.functionCall !== undefined && content.role !== 'model') throw new Invalid('function call parts must be in a model turn');
  });
}

/** A user turn with function responses follows a model turn with as many calls, by the same names. */
function checkFunctionResponses(contents: GeminiWireRequest['contents']): void {
  contents.forEach((content, i) => {
    const responses = content.parts.filter((part) => part.functionResponse);
    if (responses.length === 0) return;
    const calls = i > 0 ? contents[i - 1].parts.filter((part) => part.functionCall) : [];
    if (calls.length !== responses.length) {
      throw new Invalid('Please ensure that the number of function response parts is equal to the number of function call parts of the function call turn.');
    }
    const called = calls.map((part) => part.functionCall?.name).sort();
    const answered = responses.map((part) => part.functionResponse?.name).sort();
    if (called.join() !== answered.join()) throw new Invalid('function response names must match the function calls of the previous turn');
  });
}

function checkSignatures(contents: GeminiWireRequest['contents'], issued: ReadonlySet<string>): void {
  contents.forEach((content) => {
    const calls = content.parts.filter((part) => part.functionCall);
    if (calls.length === 0) return;
    const signature = (calls[0] as GeminiWirePart).thoughtSignature;
    if (!signature) {
      throw new Invalid(`Function call is missing a thought_signature in functionCall parts. This is required for tools to work correctly, and missing thought_signature may lead to degraded model performance. Additional data, function call \`default_api:${calls[0].functionCall?.name}\``);
    }
    if (signature !== SKIP_SIGNATURE && !issued.has(signature)) throw new Invalid('Corrupted thought signature.');
  });
}

function checkTools(tools: unknown): void {
  if (!Array.isArray(tools)) throw new Invalid('tools must be a list');
  tools.forEach((tool, i) => {
    if (!isObject(tool) || !Array.isArray(tool.functionDeclarations)) throw new Invalid(`tools[${i}] needs function_declarations`);
    tool.functionDeclarations.forEach((declaration: unknown, j: number) => {
      if (!isObject(declaration) || typeof declaration.name !== 'string') throw new Invalid(`tools[${i}].function_declarations[${j}].name is required`);
      const at = `tools[${i}].function_declarations[${j}]`;
      for (const name of Object.keys(declaration)) if (!DECLARATION_FIELDS.has(name)) throw unknownName(name, at);
      if (declaration.parameters !== undefined) checkSchema(declaration.parameters, `${at}.parameters`);
      if (declaration.parametersJsonSchema === undefined) return;
      if (declaration.parameters !== undefined) throw new Invalid(`* GenerateContentRequest.${at}: parameters and parameters_json_schema are mutually exclusive; set only one of them.`);
      // "The schema must describe an object where the properties are the parameters to the function."
      if (isObject(declaration.parametersJsonSchema) && declaration.parametersJsonSchema.type !== undefined && declaration.parametersJsonSchema.type !== 'object') {
        throw new Invalid(`* GenerateContentRequest.${at}.parameters_json_schema: the schema must describe an object.`);
      }
      checkJsonSchema(declaration.parametersJsonSchema, `${at}.parameters_json_schema`);
    });
  });
}

function checkJsonSchema(schema: unknown, at: string): void {
  const problem = jsonSchemaProblem(schema, at);
  if (problem !== undefined) throw new Invalid(`* GenerateContentRequest.${problem}`);
}

function checkSchema(schema: unknown, at: string): void {
  if (!isObject(schema)) throw new Invalid(`${at} must be an object`);
  for (const [name, value] of Object.entries(schema)) {
    if (!SCHEMA_FIELDS.has(name)) throw unknownName(name, at);
    if (name === 'type' && !SCHEMA_TYPES.has(String(value))) throw new Invalid(`Invalid value at '${at}.type', "${String(value)}"`);
    if (name === 'properties' && isObject(value)) for (const [key, property] of Object.entries(value)) checkSchema(property, `${at}.properties[${key}].value`);
    if (name === 'items') checkSchema(value, `${at}.items`);
    if (name === 'anyOf' && Array.isArray(value)) value.forEach((option, i) => checkSchema(option, `${at}.any_of[${i}]`));
  }
  if (schema.type === 'OBJECT' && isObject(schema.properties) && Object.keys(schema.properties).length === 0) {
    throw new Invalid(`${at}.properties: should be non-empty for OBJECT type`);
  }
}
