import type { FakeMessagesRequest } from './fake-anthropic.types';
import { thinkingSignature } from './fake-anthropic.wire';

export type Validation = { ok: true; request: FakeMessagesRequest } | { ok: false; message: string };

type Json = Record<string, unknown>;
const isRecord = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);
const fail = (message: string): Validation => ({ ok: false, message });

/** Checks a Messages body the way Anthropic does, with Anthropic-like messages (400 invalid_request_error). */
export function validateMessagesRequest(body: unknown): Validation {
  if (!isRecord(body)) return fail('There was an issue with the format of your request: Invalid JSON');
  if (typeof body.model !== 'string' || body.model === '') return fail('model: Field required');
  if (body.max_tokens === undefined) return fail('max_tokens: Field required');
  if (!Number.isInteger(body.max_tokens) || (body.max_tokens as number) < 1) {
    return fail('max_tokens: Input should be greater than or equal to 1');
  }
  if (body.temperature !== undefined && (typeof body.temperature !== 'number' || body.temperature < 0 || body.temperature > 1)) {
    return fail('temperature: Input should be less than or equal to 1');
  }
  if (body.system !== undefined && !isSystem(body.system)) return fail('system: Input should be a valid string or list of text blocks');
  const toolsProblem = checkTools(body.tools);
  if (toolsProblem) return fail(toolsProblem);
  const messagesProblem = checkMessages(body.messages) ?? checkSignatures(body.messages as Json[], body.model);
  if (messagesProblem) return fail(messagesProblem);
  return {
    ok: true,
    request: {
      model: body.model,
      max_tokens: body.max_tokens as number,
      stream: body.stream === true,
      messages: body.messages as FakeMessagesRequest['messages'],
      tools: (body.tools ?? []) as FakeMessagesRequest['tools'],
      ...(isRecord(body.tool_choice) ? { tool_choice: body.tool_choice as FakeMessagesRequest['tool_choice'] } : {}),
      ...(isRecord(body.thinking) ? { thinking: body.thinking as FakeMessagesRequest['thinking'] } : {}),
    },
  };
}

function isSystem(system: unknown): boolean {
  return typeof system === 'string' || (Array.isArray(system) && system.every((block) => isRecord(block) && block.type === 'text'));
}

function checkTools(tools: unknown): string | undefined {
  if (tools === undefined) return undefined;
  if (!Array.isArray(tools)) return 'tools: Input should be a valid list';
  const index = tools.findIndex((tool) => !isRecord(tool) || typeof tool.name !== 'string' || !isRecord(tool.input_schema));
  return index === -1 ? undefined : `tools.${index}.input_schema: Field required`;
}

function checkMessages(messages: unknown): string | undefined {
  if (!Array.isArray(messages)) return 'messages: Field required';
  if (messages.length === 0) return 'messages: at least one message is required';
  for (const [i, message] of messages.entries()) {
    if (!isRecord(message) || (message.role !== 'user' && message.role !== 'assistant')) {
      return `messages.${i}.role: Input should be 'user' or 'assistant'`;
    }
    const finalAssistant = i === messages.length - 1 && message.role === 'assistant';
    const problem = checkContent(message.content, i, messages[i - 1], finalAssistant);
    if (problem) return problem;
  }
  return undefined;
}

function checkContent(content: unknown, i: number, previous: unknown, finalAssistant: boolean): string | undefined {
  const empty = `messages.${i}: all messages must have non-empty content except for the optional final assistant message`;
  if (typeof content === 'string') return content === '' && !finalAssistant ? empty : undefined;
  if (!Array.isArray(content) || !content.every((block) => isRecord(block) && typeof block.type === 'string')) {
    return `messages.${i}.content: Input should be a valid string or list of content blocks`;
  }
  const blocks = content as Json[];
  if (blocks.length === 0 && !finalAssistant) return empty;
  if (blocks.some((block) => block.type === 'text' && (typeof block.text !== 'string' || block.text === ''))) {
    return 'messages: text content blocks must be non-empty';
  }
  const toolUseIds = new Set(
    isRecord(previous) && Array.isArray(previous.content)
      ? (previous.content as Json[]).filter((block) => block.type === 'tool_use').map((block) => block.id)
      : [],
  );
  const orphan = blocks.findIndex((block) => block.type === 'tool_result' && !toolUseIds.has(block.tool_use_id));
  if (orphan !== -1) {
    return (
      `messages.${i}.content.${orphan}: unexpected \`tool_use_id\` found in \`tool_result\` blocks: ${String(blocks[orphan].tool_use_id)}. ` +
      'Each `tool_result` block must have a corresponding `tool_use` block in the previous message.'
    );
  }
  return undefined;
}

/** A replayed thinking block must carry the signature this model gave it: a signature proves authorship to its own model only. */
function checkSignatures(messages: Json[], model: string): string | undefined {
  for (const [i, message] of messages.entries()) {
    if (message.role !== 'assistant' || !Array.isArray(message.content)) continue;
    for (const [j, block] of (message.content as Json[]).entries()) {
      if (block.type !== 'thinking') continue;
      if (typeof block.signature !== 'string' || block.signature !== thinkingSignature(model, String(block.thinking))) {
        return `messages.${i}.content.${j}: Invalid \`signature\` in \`thinking\` block`;
      }
    }
  }
  return undefined;
}
