import type { ChatCompletionRequest, FunctionTool } from '@ai-gateway/openai-api';
import type { BedrockToolChoice, BedrockToolConfig, BedrockToolSpec } from './bedrock.types';
import { invalidParameter } from './invalid-parameter';

const EMPTY_INPUT_SCHEMA: Record<string, unknown> = { type: 'object', properties: {} };

/**
 * OpenAI `tools` and `tool_choice` as Converse's `toolConfig`. Converse has no "none": with
 * tool_choice "none" the toolConfig is left out (the history's tool blocks are then told as text,
 * see toolBlocksAsText). `parallel_tool_calls` has no Converse field.
 */
export function toBedrockToolConfig(request: Pick<ChatCompletionRequest, 'tools' | 'tool_choice'>): BedrockToolConfig | undefined {
  const tools = (request.tools ?? []).map(toToolSpec);
  const choice = request.tool_choice;
  if (tools.length === 0) {
    if (choice !== undefined && choice !== 'none' && choice !== 'auto') {
      throw invalidParameter('tool_choice', 'tool_choice requires at least one tool in tools.');
    }
    return undefined;
  }
  if (choice === 'none') return undefined;
  const toolChoice = toToolChoice(choice);
  return toolChoice ? { tools, toolChoice } : { tools };
}

function toToolSpec(tool: FunctionTool, i: number): BedrockToolSpec {
  if (tool.type !== 'function') {
    throw invalidParameter(`tools[${i}].type`, `Tools of type '${String(tool.type).slice(0, 64)}' are not supported by this model.`);
  }
  const { name, description, parameters } = tool.function;
  return { toolSpec: { name, ...(description !== undefined ? { description } : {}), inputSchema: { json: parameters ?? EMPTY_INPUT_SCHEMA } } };
}

function toToolChoice(choice: ChatCompletionRequest['tool_choice']): BedrockToolChoice | undefined {
  if (choice === undefined) return undefined;
  if (choice === 'auto') return { auto: {} };
  if (choice === 'required') return { any: {} };
  if (typeof choice === 'object' && choice !== null && choice.type === 'function' && typeof choice.function?.name === 'string') {
    return { tool: { name: choice.function.name } };
  }
  throw invalidParameter('tool_choice', "tool_choice must be 'none', 'auto', 'required' or a named function.");
}
