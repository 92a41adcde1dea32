import type { AssistantMessage, ChatMessage, ContentPart, TextContentPart, ToolCall } from '@ai-gateway/openai-api';
import type {
  AnthropicClientMessagesRequest,
  AnthropicImageBlock,
  AnthropicReplayedAssistantBlock,
  AnthropicTextBlock,
  AnthropicToolResultBlock,
  AnthropicUserBlock,
} from './anthropic.types';
import { invalidParameter } from './invalid-parameter';

type ClientMessage = AnthropicClientMessagesRequest['messages'][number];

/**
 * A Messages conversation as OpenAI chat messages: `system` first, a user turn's `tool_result`
 * blocks as `tool` messages (before the turn's other content, as OpenAI requires them right
 * after the assistant's tool calls), assistant `tool_use` blocks as `tool_calls`. Thinking blocks
 * are dropped: their signatures belong to the Claude model that wrote them, and a model of
 * another kind has no field to take them.
 */
export function toOpenAiMessages(system: AnthropicClientMessagesRequest['system'], messages: ClientMessage[]): ChatMessage[] {
  const out: ChatMessage[] = [];
  const systemText = systemTextOf(system);
  if (systemText !== undefined) out.push({ role: 'system', content: systemText });
  messages.forEach((message, i) => {
    if (message.role === 'user') out.push(...userMessages(message.content, i));
    else if (message.role === 'assistant') out.push(assistantMessage(message.content, i));
    else if (message.role === 'system') out.push({ role: 'system', content: systemTextOf(message.content) ?? '' });
    else throw invalidParameter(`messages[${i}].role`, `Unsupported message role '${(message as { role: string }).role}'.`);
  });
  return out;
}

function systemTextOf(system: AnthropicClientMessagesRequest['system']): string | undefined {
  if (system === undefined || system === null) return undefined;
  if (typeof system === 'string') return system.length > 0 ? system : undefined;
  const text = system.map((block, i) => textOf(block, `system[${i}]`)).join('\n\n');
  return text.length > 0 ? text : undefined;
}

function userMessages(content: string | AnthropicUserBlock[], i: number): ChatMessage[] {
  if (typeof content === 'string') return [{ role: 'user', content }];
  const toolMessages: ChatMessage[] = [];
  const toolImages: ContentPart[] = [];
  const parts: ContentPart[] = [];
  content.forEach((block, j) => {
    const param = `messages[${i}].content[${j}]`;
    switch (block.type) {
      case 'tool_result': {
        const result = toolResult(block, param);
        toolMessages.push(result.message);
        if (result.images.length > 0) toolImages.push({ type: 'text', text: `Images returned by tool call ${block.tool_use_id}:` }, ...result.images);
        return;
      }
      case 'text':
        parts.push({ type: 'text', text: textOf(block, param) });
        return;
      case 'image':
        parts.push({ type: 'image_url', image_url: { url: imageUrlOf(block, param) } });
        return;
      default:
        throw unsupportedBlock(param, (block as { type: string }).type);
    }
  });
  const userParts = [...toolImages, ...parts];
  return userParts.length > 0 ? [...toolMessages, { role: 'user', content: userParts }] : toolMessages;
}

/**
 * A tool_result as an OpenAI tool message, which carries text only: its images (a screenshot, a
 * file a coding agent read) go to the user message that follows the turn's tool messages, and
 * the tool message says so.
 */
function toolResult(block: AnthropicToolResultBlock, param: string): { message: ChatMessage; images: ContentPart[] } {
  if (typeof block.tool_use_id !== 'string') throw invalidParameter(`${param}.tool_use_id`, 'tool_result blocks need a tool_use_id.');
  const texts: string[] = [];
  const images: ContentPart[] = [];
  if (typeof block.content === 'string') texts.push(block.content);
  else {
    (block.content ?? []).forEach((part, k) => {
      const at = `${param}.content[${k}]`;
      const type = (part as { type: string }).type;
      if (type === 'text') texts.push(textOf(part as AnthropicTextBlock, at));
      else if (type === 'image') images.push({ type: 'image_url', image_url: { url: imageUrlOf(part as AnthropicImageBlock, at) } });
      else throw unsupportedBlock(at, type);
    });
  }
  if (images.length > 0) texts.push(`(${images.length === 1 ? 'an image' : `${images.length} images`}, in the next user message)`);
  const content = texts.join('\n');
  // OpenAI has no error flag on tool messages; the model still needs to know the call failed.
  return { message: { role: 'tool', tool_call_id: block.tool_use_id, content: block.is_error === true ? `Error: ${content}` : content }, images };
}

function assistantMessage(content: string | AnthropicReplayedAssistantBlock[], i: number): AssistantMessage {
  if (typeof content === 'string') return { role: 'assistant', content };
  const texts: string[] = [];
  const toolCalls: ToolCall[] = [];
  content.forEach((block, j) => {
    const param = `messages[${i}].content[${j}]`;
    switch (block.type) {
      case 'text':
        texts.push(textOf(block, param));
        return;
      case 'tool_use':
        toolCalls.push({ id: block.id, type: 'function', function: { name: block.name, arguments: JSON.stringify(block.input ?? {}) } });
        return;
      case 'thinking':
      case 'redacted_thinking':
        return;
      default:
        throw unsupportedBlock(param, (block as { type: string }).type);
    }
  });
  return {
    role: 'assistant',
    content: texts.length > 0 ? texts.join('') : null,
    ...(toolCalls.length > 0 ? { tool_calls: toolCalls } : {}),
  };
}

function textOf(block: AnthropicTextBlock | TextContentPart, param: string): string {
  if (typeof block.text !== 'string') throw invalidParameter(`${param}.text`, 'Text blocks need a string text.');
  return block.text;
}

function imageUrlOf(block: AnthropicImageBlock, param: string): string {
  const source = block.source as { type?: string; media_type?: string; data?: string; url?: string } | undefined;
  if (source?.type === 'base64' && typeof source.media_type === 'string' && typeof source.data === 'string') {
    return `data:${source.media_type};base64,${source.data}`;
  }
  if (source?.type === 'url' && typeof source.url === 'string') return source.url;
  throw invalidParameter(`${param}.source`, "Image sources must be {type:'base64', media_type, data} or {type:'url', url}.");
}

function unsupportedBlock(param: string, type: string): Error {
  return invalidParameter(`${param}.type`, `Content blocks of type '${String(type).slice(0, 64)}' are not supported when this model is served by a non-Anthropic provider.`);
}
