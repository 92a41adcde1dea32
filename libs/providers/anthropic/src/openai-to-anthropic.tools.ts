import type { ChatCompletionRequest } from '@ai-gateway/openai-api';
import type { AnthropicTool, AnthropicToolChoice } from './anthropic.types';
import { invalidParameter } from './invalid-parameter';

const EMPTY_INPUT_SCHEMA: Record<string, unknown> = { type: 'object', properties: {} };

export interface AnthropicToolFields {
  tools?: AnthropicTool[];
  tool_choice?: AnthropicToolChoice;
}

/** OpenAI `tools`, `tool_choice` and `parallel_tool_calls` as Anthropic's `tools` and `tool_choice`. */
export function toAnthropicToolFields(
  request: Pick<ChatCompletionRequest, 'tools' | 'tool_choice' | 'parallel_tool_calls'>,
): AnthropicToolFields {
  const tools = (request.tools ?? []).map(toAnthropicTool);
  if (tools.length === 0) {
    rejectToolChoiceWithoutTools(request.tool_choice);
    return {};
  }
  const toolChoice = toAnthropicToolChoice(request.tool_choice, request.parallel_tool_calls);
  return toolChoice ? { tools, tool_choice: toolChoice } : { tools };
}

function toAnthropicTool(tool: NonNullable<ChatCompletionRequest['tools']>[number], i: number): AnthropicTool {
  if (tool.type !== 'function') {
    throw invalidParameter(`tools[${i}].type`, `Tools of type '${String(tool.type)}' are not supported by this model.`);
  }
  const { name, description, parameters } = tool.function;
  return {
    name,
    ...(description !== undefined ? { description } : {}),
    input_schema: parameters ?? EMPTY_INPUT_SCHEMA,
  };
}

function rejectToolChoiceWithoutTools(toolChoice: ChatCompletionRequest['tool_choice']): void {
  if (toolChoice === undefined || toolChoice === 'none' || toolChoice === 'auto') return;
  throw invalidParameter('tool_choice', 'tool_choice requires at least one tool in tools.');
}

function toAnthropicToolChoice(
  toolChoice: ChatCompletionRequest['tool_choice'],
  parallelToolCalls: boolean | undefined,
): AnthropicToolChoice | undefined {
  const disableParallel = parallelToolCalls === false ? { disable_parallel_tool_use: true } : {};
  if (toolChoice === undefined) {
    return parallelToolCalls === false ? { type: 'auto', disable_parallel_tool_use: true } : undefined;
  }
  if (toolChoice === 'none') return { type: 'none' };
  if (toolChoice === 'auto') return { type: 'auto', ...disableParallel };
  if (toolChoice === 'required') return { type: 'any', ...disableParallel };
  if (typeof toolChoice === 'object' && toolChoice.type === 'function' && typeof toolChoice.function?.name === 'string') {
    return { type: 'tool', name: toolChoice.function.name, ...disableParallel };
  }
  throw invalidParameter('tool_choice', "tool_choice must be 'none', 'auto', 'required' or a named function.");
}
