import type { ChatCompletionRequest, FunctionTool, ToolChoice } from '@ai-gateway/openai-api';
import type { AnthropicClientMessagesRequest, AnthropicTool, AnthropicToolChoice } from './anthropic.types';
import { invalidParameter } from './invalid-parameter';
import { toOpenAiMessages } from './anthropic-to-openai.messages';

/**
 * A Claude-native client's Messages request as an OpenAI chat request, for a provider of
 * another kind. `top_k` and `thinking` have no OpenAI counterpart and are left out; a stream
 * always asks for the usage chunk, since message_delta must report the counts.
 */
export function toOpenAiChatRequest(request: AnthropicClientMessagesRequest): ChatCompletionRequest {
  if (!Array.isArray(request.messages)) throw invalidParameter('messages', "'messages' must be an array.");
  const stream = request.stream === true;
  if (request.max_tokens === 0) {
    throw invalidParameter('max_tokens', 'max_tokens: 0 (filling the prompt cache without an answer) is served by Anthropic-kind providers only.');
  }
  return {
    model: request.model,
    messages: toOpenAiMessages(request.system, request.messages),
    max_completion_tokens: request.max_tokens,
    ...(request.stop_sequences && request.stop_sequences.length > 0 ? { stop: request.stop_sequences } : {}),
    ...(request.temperature != null ? { temperature: request.temperature } : {}),
    ...(request.top_p != null ? { top_p: request.top_p } : {}),
    ...(typeof request.metadata?.user_id === 'string' ? { user: request.metadata.user_id } : {}),
    ...toolFields(request),
    ...(stream ? { stream: true, stream_options: { include_usage: true } } : {}),
  };
}

function toolFields(request: AnthropicClientMessagesRequest): Pick<ChatCompletionRequest, 'tools' | 'tool_choice' | 'parallel_tool_calls'> {
  const tools = (request.tools ?? []).map(toFunctionTool);
  const choice = request.tool_choice;
  if (tools.length === 0) return choice?.type === 'none' ? { tool_choice: 'none' } : {};
  return {
    tools,
    ...(choice ? { tool_choice: toOpenAiToolChoice(choice) } : {}),
    ...(choice && 'disable_parallel_tool_use' in choice && choice.disable_parallel_tool_use === true ? { parallel_tool_calls: false } : {}),
  };
}

function toFunctionTool(tool: AnthropicTool, i: number): FunctionTool {
  const serverToolType = (tool as { type?: unknown }).type;
  if (serverToolType !== undefined && serverToolType !== 'custom') {
    throw invalidParameter(`tools[${i}].type`, `Tools of type '${String(serverToolType).slice(0, 64)}' run on Anthropic's servers only; this model is served by another provider.`);
  }
  if (typeof tool.name !== 'string') throw invalidParameter(`tools[${i}].name`, 'Tools need a name.');
  return {
    type: 'function',
    function: {
      name: tool.name,
      ...(tool.description !== undefined ? { description: tool.description } : {}),
      parameters: tool.input_schema,
    },
  };
}

function toOpenAiToolChoice(choice: AnthropicToolChoice): ToolChoice {
  switch (choice.type) {
    case 'auto':
      return 'auto';
    case 'any':
      return 'required';
    case 'none':
      return 'none';
    case 'tool':
      return { type: 'function', function: { name: choice.name } };
    default:
      throw invalidParameter('tool_choice.type', "tool_choice.type must be 'auto', 'any', 'tool' or 'none'.");
  }
}
