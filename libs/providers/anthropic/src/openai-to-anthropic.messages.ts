import {
  messageTexts,
  type AssistantMessage,
  type ChatMessage,
  type ContentPart,
  type TextContentPart,
  type ToolCall,
  type ToolMessage,
  type UserMessage,
} from '@ai-gateway/openai-api';
import type {
  AnthropicAssistantBlock,
  AnthropicMessage,
  AnthropicTextBlock,
  AnthropicToolUseBlock,
  AnthropicUserBlock,
} from './anthropic.types';
import { invalidParameter } from './invalid-parameter';
import { toAnthropicImage } from './openai-to-anthropic.image';

export interface AnthropicConversation {
  system?: string | AnthropicTextBlock[];
  messages: AnthropicMessage[];
}

type Turn = { role: 'user'; blocks: AnthropicUserBlock[] } | { role: 'assistant'; blocks: AnthropicAssistantBlock[] };

/**
 * OpenAI messages as Anthropic's top-level `system` plus alternating user/assistant turns:
 * system and developer messages move to `system`, tool results become `tool_result` blocks in
 * a user turn, and consecutive turns of the same role are merged.
 */
export function toAnthropicConversation(messages: ChatMessage[]): AnthropicConversation {
  const systemTexts: string[] = [];
  const turns: Turn[] = [];
  messages.forEach((message, i) => {
    switch (message.role) {
      case 'system':
      case 'developer':
        systemTexts.push(...messageTexts(message.content, `messages[${i}].content`));
        return;
      case 'user':
        appendTurn(turns, { role: 'user', blocks: userBlocks(message, i) });
        return;
      case 'tool':
        appendTurn(turns, { role: 'user', blocks: [toolResultBlock(message, i)] });
        return;
      case 'assistant':
        appendTurn(turns, { role: 'assistant', blocks: assistantBlocks(message, i) });
        return;
      default:
        throw invalidParameter(`messages[${i}].role`, `Unsupported message role '${(message as { role: string }).role}'.`);
    }
  });
  if (turns.length === 0) {
    throw invalidParameter('messages', 'At least one user or assistant message is required.');
  }
  return {
    ...systemField(systemTexts),
    messages: turns.map(toAnthropicMessage),
  };
}

function systemField(texts: string[]): Pick<AnthropicConversation, 'system'> {
  const nonEmpty = texts.filter((text) => text.length > 0);
  if (nonEmpty.length === 0) return {};
  if (nonEmpty.length === 1) return { system: nonEmpty[0] };
  return { system: nonEmpty.map((text) => ({ type: 'text', text })) };
}

function textBlocks(texts: string[]): AnthropicTextBlock[] {
  // Anthropic rejects empty text blocks; OpenAI clients often send content "" beside tool_calls.
  return texts.filter((text) => text.length > 0).map((text) => ({ type: 'text', text }));
}

function userBlocks(message: UserMessage, i: number): AnthropicUserBlock[] {
  if (typeof message.content === 'string') return textBlocks([message.content]);
  return message.content.flatMap((part, j) => userPartBlocks(part, `messages[${i}].content[${j}]`));
}

function userPartBlocks(part: ContentPart, param: string): AnthropicUserBlock[] {
  switch (part.type) {
    case 'text':
      return textBlocks([(part as TextContentPart).text]);
    case 'image_url': {
      const url = (part as { image_url?: { url?: unknown } }).image_url?.url;
      if (typeof url !== 'string') throw invalidParameter(`${param}.image_url.url`, 'image_url.url must be a string.');
      return [toAnthropicImage(url, `${param}.image_url.url`)];
    }
    default:
      throw invalidParameter(`${param}.type`, `Content parts of type '${part.type}' are not supported by this model.`);
  }
}

function toolResultBlock(message: ToolMessage, i: number): AnthropicUserBlock {
  const content = typeof message.content === 'string' ? message.content : textBlocks(messageTexts(message.content, `messages[${i}].content`));
  return { type: 'tool_result', tool_use_id: message.tool_call_id, content };
}

function assistantBlocks(message: AssistantMessage, i: number): AnthropicAssistantBlock[] {
  const toolUses = (message.tool_calls ?? []).map((call, j) =>
    toolUseBlock(call, `messages[${i}].tool_calls[${j}].function.arguments`),
  );
  return [...textBlocks(messageTexts(message.content, `messages[${i}].content`)), ...toolUses];
}

function toolUseBlock(call: ToolCall, param: string): AnthropicToolUseBlock {
  return { type: 'tool_use', id: call.id, name: call.function.name, input: parseArguments(call.function.arguments, param) };
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

function appendTurn(turns: Turn[], turn: Turn): void {
  // Anthropic refuses turns without content; OpenAI accepts them (e.g. an assistant content "").
  if (turn.blocks.length === 0) return;
  const last = turns[turns.length - 1];
  if (last?.role === 'user' && turn.role === 'user') {
    last.blocks.push(...turn.blocks);
  } else if (last?.role === 'assistant' && turn.role === 'assistant') {
    last.blocks.push(...turn.blocks);
  } else {
    turns.push(turn);
  }
}

function toAnthropicMessage(turn: Turn): AnthropicMessage {
  if (turn.role === 'assistant') return { role: 'assistant', content: turn.blocks };
  // Anthropic requires a user turn's tool_result blocks to come before any other block.
  const toolResults = turn.blocks.filter((block) => block.type === 'tool_result');
  const others = turn.blocks.filter((block) => block.type !== 'tool_result');
  return { role: 'user', content: [...toolResults, ...others] };
}
