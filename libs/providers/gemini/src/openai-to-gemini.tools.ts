import type { ChatCompletionRequest } from '@ai-gateway/openai-api';
import type { GeminiFunctionDeclaration, GeminiGenerateContentRequest, GeminiToolConfig } from './gemini.types';
import { invalidParameter } from './invalid-parameter';
import { toGeminiSchemaField, type GeminiSchemaField } from './openai-to-gemini.schema-field';

/** OpenAI `tools` and `tool_choice` as Gemini's `tools[].functionDeclarations` and `toolConfig`. */
export function toGeminiToolFields(request: Pick<ChatCompletionRequest, 'tools' | 'tool_choice'>): Pick<GeminiGenerateContentRequest, 'tools' | 'toolConfig'> {
  const declarations = (request.tools ?? []).map(toDeclaration);
  if (declarations.length === 0) {
    if (request.tool_choice !== undefined && request.tool_choice !== 'none' && request.tool_choice !== 'auto') {
      throw invalidParameter('tool_choice', 'tool_choice requires at least one tool in tools.');
    }
    return {};
  }
  const toolConfig = toToolConfig(request.tool_choice, declarations);
  return { tools: [{ functionDeclarations: declarations }], ...(toolConfig ? { toolConfig } : {}) };
}

function toDeclaration(tool: NonNullable<ChatCompletionRequest['tools']>[number], i: number): GeminiFunctionDeclaration {
  if (tool.type !== 'function') throw invalidParameter(`tools[${i}].type`, `Tools of type '${String(tool.type).slice(0, 64)}' are not supported by this model.`);
  const { name, description, parameters } = tool.function;
  if (!/^[A-Za-z_][A-Za-z0-9_.:-]{0,127}$/.test(name)) {
    throw invalidParameter(`tools[${i}].function.name`, 'Gemini function names start with a letter or underscore and use letters, digits, _ . : - (at most 128).');
  }
  return {
    name,
    ...(description !== undefined ? { description } : {}),
    ...(parameters && hasProperties(parameters) ? declaredParameters(toGeminiSchemaField(parameters, `tools[${i}].function.parameters`)) : {}),
  };
}

/** `parameters` in the Schema subset, or `parametersJsonSchema` for what it cannot express (the two are mutually exclusive). */
function declaredParameters(field: GeminiSchemaField): Pick<GeminiFunctionDeclaration, 'parameters' | 'parametersJsonSchema'> {
  return 'schema' in field ? { parameters: field.schema } : { parametersJsonSchema: field.jsonSchema };
}

/** Gemini refuses an OBJECT schema without properties; a function without arguments declares none. */
function hasProperties(parameters: Record<string, unknown>): boolean {
  const properties = parameters.properties;
  return parameters.type !== 'object' || (typeof properties === 'object' && properties !== null && Object.keys(properties).length > 0);
}

function toToolConfig(toolChoice: ChatCompletionRequest['tool_choice'], declarations: GeminiFunctionDeclaration[]): GeminiToolConfig | undefined {
  if (toolChoice === undefined) return undefined;
  if (toolChoice === 'auto') return { functionCallingConfig: { mode: 'AUTO' } };
  if (toolChoice === 'none') return { functionCallingConfig: { mode: 'NONE' } };
  if (toolChoice === 'required') return { functionCallingConfig: { mode: 'ANY' } };
  const name = typeof toolChoice === 'object' && toolChoice?.type === 'function' ? toolChoice.function?.name : undefined;
  if (typeof name !== 'string') throw invalidParameter('tool_choice', "tool_choice must be 'none', 'auto', 'required' or a named function.");
  if (!declarations.some((declaration) => declaration.name === name)) {
    throw invalidParameter('tool_choice.function.name', `tool_choice names '${name.slice(0, 128)}', which is not one of the tools.`);
  }
  return { functionCallingConfig: { mode: 'ANY', allowedFunctionNames: [name] } };
}
