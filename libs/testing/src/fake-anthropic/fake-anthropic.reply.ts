import { anthropicId, thinkingSignature } from './fake-anthropic.wire';
import type { FakeAnthropicScenario, FakeContentBlock, FakeMessage, FakeMessagesRequest } from './fake-anthropic.types';

type Block = Record<string, unknown> & { type: string };

/** The message a model would plausibly answer, by scenario; text is cut at max_tokens words. */
export function buildReply(request: FakeMessagesRequest, scenario: FakeAnthropicScenario, cacheTokens = { read: 0, write: 0 }): FakeMessage {
  const content = withThinking(request, replyContent(request, scenario));
  const words = content.flatMap((block) => (block.type === 'text' ? block.text.split(/(?<= )/) : []));
  const truncated = words.length > request.max_tokens;
  const blocks = truncated ? [{ type: 'text' as const, text: words.slice(0, request.max_tokens).join('') }] : content;
  const usesTools = blocks.some((block) => block.type === 'tool_use');
  return {
    id: anthropicId('msg'),
    type: 'message',
    role: 'assistant',
    model: request.model,
    content: blocks,
    stop_reason: truncated ? 'max_tokens' : usesTools ? 'tool_use' : 'end_turn',
    stop_sequence: null,
    usage: {
      input_tokens: Math.max(1, Math.ceil(JSON.stringify(request.messages).length / 4)),
      cache_creation_input_tokens: cacheTokens.write,
      cache_read_input_tokens: cacheTokens.read,
      output_tokens: Math.max(1, Math.ceil(JSON.stringify(blocks).length / 4)),
    },
  };
}

function replyContent(request: FakeMessagesRequest, scenario: FakeAnthropicScenario): FakeContentBlock[] {
  if (scenario.kind === 'text') return [{ type: 'text', text: scenario.text }];
  const lastTurn = request.messages[request.messages.length - 1];
  const lastBlocks: Block[] = typeof lastTurn.content === 'string' ? [{ type: 'text', text: lastTurn.content }] : lastTurn.content;
  const toolResults = lastTurn.role === 'user' ? lastBlocks.filter((block) => block.type === 'tool_result') : [];
  if (scenario.kind === 'tool_use' || (toolResults.length === 0 && wantsTools(request))) {
    return toolUseContent(request, scenario.kind === 'tool_use' ? scenario.toolCount : undefined);
  }
  if (toolResults.length > 0) {
    return [{ type: 'text', text: `Thanks, the tool said: ${toolResults.map((block) => textOf(block.content)).join('; ')}.` }];
  }
  const said = lastBlocks.filter((block) => block.type === 'text').map((block) => textOf(block.text)).join(' ');
  return [{ type: 'text', text: `Hello from the fake Anthropic model. You said: ${said}` }];
}

function wantsTools(request: FakeMessagesRequest): boolean {
  return request.tools.length > 0 && request.tool_choice?.type !== 'none';
}

function toolUseContent(request: FakeMessagesRequest, forcedCount: 1 | 2 | undefined): FakeContentBlock[] {
  const named = request.tool_choice?.type === 'tool' ? request.tools.filter((tool) => tool.name === request.tool_choice?.name) : [];
  const candidates = named.length > 0 ? named : request.tools;
  const parallel = request.tool_choice?.disable_parallel_tool_use !== true;
  const count = Math.min(candidates.length, forcedCount ?? (parallel ? 2 : 1));
  const uses: FakeContentBlock[] = candidates.slice(0, count).map((tool) => ({
    type: 'tool_use',
    id: anthropicId('toolu'),
    name: tool.name,
    input: sampleInput(tool.input_schema),
  }));
  return [{ type: 'text', text: "I'll use the tools for that." }, ...uses];
}

/** A value for every property of a JSON schema object, by its declared type. */
function sampleInput(schema: Record<string, unknown>): Record<string, unknown> {
  const properties = (schema.properties ?? {}) as Record<string, { type?: string; enum?: unknown[] }>;
  return Object.fromEntries(Object.entries(properties).map(([name, property]) => [name, sampleValue(name, property)]));
}

function sampleValue(name: string, property: { type?: string; enum?: unknown[] }): unknown {
  if (property.enum && property.enum.length > 0) return property.enum[0];
  switch (property.type) {
    case 'number':
    case 'integer':
      return 1;
    case 'boolean':
      return true;
    case 'array':
      return [];
    case 'object':
      return {};
    default:
      return `example ${name}`;
  }
}

function textOf(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) return content.map((block: { text?: unknown }) => (typeof block.text === 'string' ? block.text : '')).join('');
  return '';
}

/** With extended thinking on, the answer starts with a thinking block signed for this model. */
function withThinking(request: FakeMessagesRequest, content: FakeContentBlock[]): FakeContentBlock[] {
  if (request.thinking?.type !== 'enabled') return content;
  const thinking = `The user wrote ${request.messages.length} turn(s); answer briefly.`;
  return [{ type: 'thinking', thinking, signature: thinkingSignature(request.model, thinking) }, ...content];
}
