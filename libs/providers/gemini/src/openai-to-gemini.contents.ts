import { messageTexts, type AssistantMessage, type ChatMessage, type ContentPart, type TextContentPart, type ToolMessage, type UserMessage } from '@ai-gateway/openai-api';
import type { GeminiContent, GeminiPart, GeminiRole } from './gemini.types';
import { thoughtSignatureOf } from './gemini-tool-call-id';
import { invalidParameter } from './invalid-parameter';
import { toGeminiFilePart } from './openai-to-gemini.file';
import { toGeminiImagePart } from './openai-to-gemini.image';

export interface GeminiConversation {
  systemInstruction?: { parts: Array<{ text: string }> };
  contents: GeminiContent[];
}

export interface ConversationOptions {
  /**
   * Gemini 3 refuses a replayed function call without its thought signature. History that never
   * had one (another model's turns, a fallback from gpt-4o) gets the documented placeholder that
   * skips the check (ai.google.dev/gemini-api/docs/thought-signatures, FAQ).
   */
  placeholderSignatures: boolean;
}

/** Google's documented value for a function call whose signature was never issued by Gemini. */
export const SKIP_THOUGHT_SIGNATURE = 'skip_thought_signature_validator';

/**
 * OpenAI messages as Gemini's `systemInstruction` plus `contents` (roles user/model): system and
 * developer messages move to the instruction, assistant turns become model turns carrying their
 * function calls (thought signatures restored from the ids), tool results become
 * `functionResponse` parts of a user turn named after the call they answer, and consecutive turns
 * of one role are merged.
 */
export function toGeminiConversation(messages: ChatMessage[], options: ConversationOptions): GeminiConversation {
  const systemTexts: string[] = [];
  const contents: GeminiContent[] = [];
  const callNames = new Map<string, string>();
  messages.forEach((message, i) => {
    switch (message.role) {
      case 'system':
      case 'developer':
        systemTexts.push(...messageTexts(message.content, `messages[${i}].content`).filter((text) => text !== ''));
        return;
      case 'user':
        append(contents, 'user', userParts(message, i));
        return;
      case 'assistant':
        append(contents, 'model', modelParts(message, i, callNames, options));
        return;
      case 'tool':
        append(contents, 'user', [functionResponsePart(message, i, callNames)]);
        return;
      default:
        throw invalidParameter(`messages[${i}].role`, `Unsupported message role '${String((message as { role: unknown }).role).slice(0, 64)}'.`);
    }
  });
  if (contents.length === 0) throw invalidParameter('messages', 'At least one user or assistant message is required.');
  return {
    ...(systemTexts.length > 0 ? { systemInstruction: { parts: systemTexts.map((text) => ({ text })) } } : {}),
    contents,
  };
}

/** Gemini refuses empty text parts; OpenAI clients send content "" beside tool_calls. */
function textParts(texts: string[]): GeminiPart[] {
  return texts.filter((text) => text !== '').map((text) => ({ text }));
}

function userParts(message: UserMessage, i: number): GeminiPart[] {
  if (typeof message.content === 'string') return textParts([message.content]);
  return message.content.flatMap((part, j) => userPart(part, `messages[${i}].content[${j}]`));
}

function userPart(part: ContentPart, param: string): GeminiPart[] {
  switch (part.type) {
    case 'text':
      return textParts([(part as TextContentPart).text]);
    case 'image_url': {
      const url = (part as { image_url?: { url?: unknown } }).image_url?.url;
      if (typeof url !== 'string') throw invalidParameter(`${param}.image_url.url`, 'image_url.url must be a string.');
      return [toGeminiImagePart(url, `${param}.image_url.url`)];
    }
    case 'file':
      return [toGeminiFilePart((part as { file?: unknown }).file, param)];
    default:
      throw invalidParameter(`${param}.type`, `Content parts of type '${String(part.type).slice(0, 64)}' are not supported by this model.`);
  }
}

function modelParts(message: AssistantMessage, i: number, callNames: Map<string, string>, options: ConversationOptions): GeminiPart[] {
  const calls = (message.tool_calls ?? []).map((call, j): GeminiPart => {
    callNames.set(call.id, call.function.name);
    const signature = thoughtSignatureOf(call.id) ?? (options.placeholderSignatures && j === 0 ? SKIP_THOUGHT_SIGNATURE : undefined);
    return {
      functionCall: { name: call.function.name, args: parseArguments(call.function.arguments, `messages[${i}].tool_calls[${j}].function.arguments`) },
      ...(signature ? { thoughtSignature: signature } : {}),
    };
  });
  return [...textParts(messageTexts(message.content, `messages[${i}].content`)), ...calls];
}

function functionResponsePart(message: ToolMessage, i: number, callNames: Map<string, string>): GeminiPart {
  const name = callNames.get(message.tool_call_id);
  if (name === undefined) {
    throw invalidParameter(`messages[${i}].tool_call_id`, 'tool_call_id does not match any tool call of an earlier assistant message.');
  }
  const text = messageTexts(message.content, `messages[${i}].content`).join('');
  return { functionResponse: { name, response: toolResult(text) } };
}

/** Gemini wants an object: a JSON object result as it is, anything else wrapped as `{result}`. */
function toolResult(text: string): Record<string, unknown> {
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) return parsed as Record<string, unknown>;
  } catch {
    // Plain text.
  }
  return { result: text };
}

function parseArguments(json: string, param: string): Record<string, unknown> {
  if (json.trim() === '') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    throw invalidParameter(param, 'Tool call arguments must be a JSON object string; this one is not valid JSON.');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw invalidParameter(param, 'Tool call arguments must encode a JSON object.');
  return parsed as Record<string, unknown>;
}

function append(contents: GeminiContent[], role: GeminiRole, parts: GeminiPart[]): void {
  if (parts.length === 0) return;
  const last = contents[contents.length - 1];
  if (last?.role === role) last.parts.push(...parts);
  else contents.push({ role, parts });
}
