import { messageTexts, type AssistantMessage, type ChatMessage, type ContentPart, type TextContentPart, type ToolCall, type ToolMessage, type UserMessage } from '@ai-gateway/openai-api';
import type { BedrockContentBlock, BedrockMessage, BedrockTextBlock, BedrockToolUseBlock } from './bedrock.types';
import { converseToolUseId } from './converse-tool-use-id';
import { invalidParameter } from './invalid-parameter';
import { toBedrockImage } from './openai-to-bedrock.image';

export interface BedrockConversation {
  system?: BedrockTextBlock[];
  messages: BedrockMessage[];
  /** The conversation carries toolUse or toolResult blocks: Converse then requires a toolConfig (or them told as text). */
  hasToolBlocks: boolean;
}

/**
 * OpenAI messages as Converse's top-level `system` plus alternating user/assistant turns:
 * system and developer messages move to `system`, tool results become `toolResult` blocks in a
 * user turn, assistant tool calls `toolUse` blocks, and consecutive turns of one role are merged.
 */
export function toBedrockConversation(messages: ChatMessage[]): BedrockConversation {
  const system: BedrockTextBlock[] = [];
  const turns: BedrockMessage[] = [];
  let hasToolBlocks = false;
  messages.forEach((message, i) => {
    switch (message.role) {
      case 'system':
      case 'developer':
        system.push(...textBlocks(messageTexts(message.content, `messages[${i}].content`)));
        return;
      case 'user':
        appendTurn(turns, 'user', userBlocks(message, i));
        return;
      case 'tool':
        hasToolBlocks = true;
        appendTurn(turns, 'user', [toolResultBlock(message, i)]);
        return;
      case 'assistant': {
        const blocks = assistantBlocks(message, i);
        hasToolBlocks ||= blocks.some((block) => 'toolUse' in block);
        appendTurn(turns, 'assistant', blocks);
        return;
      }
      default:
        throw invalidParameter(`messages[${i}].role`, `Unsupported message role '${String((message as { role: unknown }).role).slice(0, 64)}'.`);
    }
  });
  if (turns.length === 0) throw invalidParameter('messages', 'At least one user or assistant message is required.');
  return { ...(system.length > 0 ? { system } : {}), messages: turns.map(orderToolResultsFirst), hasToolBlocks };
}

/** Converse refuses blank text blocks; OpenAI clients often send content "" beside tool_calls. */
function textBlocks(texts: string[]): BedrockTextBlock[] {
  return texts.filter((text) => text.trim().length > 0).map((text) => ({ text }));
}

function userBlocks(message: UserMessage, i: number): BedrockContentBlock[] {
  if (typeof message.content === 'string') return textBlocks([message.content]);
  return message.content.flatMap((part, j) => userPartBlocks(part, `messages[${i}].content[${j}]`));
}

function userPartBlocks(part: ContentPart, param: string): BedrockContentBlock[] {
  switch (part.type) {
    case 'text':
      return textBlocks([(part as TextContentPart).text]);
    case 'image_url':
      return [toBedrockImage((part as { image_url: { url: string } }).image_url.url, `${param}.image_url.url`)];
    default:
      throw invalidParameter(`${param}.type`, `Content parts of type '${String(part.type).slice(0, 64)}' are not supported by this model.`);
  }
}

function toolResultBlock(message: ToolMessage, i: number): BedrockContentBlock {
  const texts = messageTexts(message.content, `messages[${i}].content`);
  return { toolResult: { toolUseId: converseToolUseId(message.tool_call_id), content: texts.map((text) => ({ text })), status: 'success' } };
}

function assistantBlocks(message: AssistantMessage, i: number): BedrockContentBlock[] {
  const toolUses = (message.tool_calls ?? []).map((call, j) => toolUseBlock(call, `messages[${i}].tool_calls[${j}].function.arguments`));
  return [...textBlocks(messageTexts(message.content, `messages[${i}].content`)), ...toolUses];
}

function toolUseBlock(call: ToolCall, param: string): BedrockToolUseBlock {
  return { toolUse: { toolUseId: converseToolUseId(call.id), name: call.function.name, input: parseArguments(call.function.arguments, param) } };
}

function parseArguments(json: string, param: string): Record<string, unknown> {
  if (json.trim() === '') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    throw invalidParameter(param, 'Tool call arguments must be a JSON object string; this one is not valid JSON.');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw invalidParameter(param, 'Tool call arguments must encode a JSON object.');
  }
  return parsed as Record<string, unknown>;
}

/** Converse refuses a turn without content and two turns of one role in a row. */
function appendTurn(turns: BedrockMessage[], role: BedrockMessage['role'], blocks: BedrockContentBlock[]): void {
  if (blocks.length === 0) return;
  const last = turns[turns.length - 1];
  if (last?.role === role) last.content.push(...blocks);
  else turns.push({ role, content: blocks });
}

/** A user turn answering tool calls starts with its toolResult blocks (as Anthropic's models on Bedrock require). */
function orderToolResultsFirst(turn: BedrockMessage): BedrockMessage {
  if (turn.role === 'assistant') return turn;
  const results = turn.content.filter((block) => 'toolResult' in block);
  if (results.length === 0) return turn;
  return { role: 'user', content: [...results, ...turn.content.filter((block) => !('toolResult' in block))] };
}
