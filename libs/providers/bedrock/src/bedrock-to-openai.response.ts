import type { ChatCompletion, ToolCall } from '@ai-gateway/openai-api';
import { toFinishReason } from './bedrock-stop-reason';
import { toOpenAiUsage } from './bedrock-usage';
import type { BedrockUsage } from './bedrock.types';

export interface CompletionContext {
  /** The model id the request named (Converse does not echo it). */
  model: string;
  /** The answer's x-amzn-requestid, the completion id (Converse's body has none). */
  requestId: string;
}

/** The answer is not a Converse response: the adapter reports it as a malformed answer. */
export class UnreadableConverseResponse extends Error {}

/**
 * A Converse response as an OpenAI chat completion: text blocks joined, toolUse blocks as tool
 * calls (input re-serialised as the arguments string), reasoning blocks left out (OpenAI's chat
 * completion has no field for them).
 */
export function toOpenAiChatCompletion(body: unknown, context: CompletionContext, nowMs: () => number = Date.now): ChatCompletion {
  const { content, stopReason, usage } = readResponse(body);
  const texts: string[] = [];
  const toolCalls: ToolCall[] = [];
  for (const block of content) {
    if (typeof block.text === 'string') texts.push(block.text);
    const toolUse = block.toolUse as { toolUseId?: unknown; name?: unknown; input?: unknown } | undefined;
    if (toolUse && typeof toolUse === 'object') {
      if (typeof toolUse.toolUseId !== 'string' || typeof toolUse.name !== 'string') throw new UnreadableConverseResponse('a toolUse block without id or name');
      toolCalls.push({ id: toolUse.toolUseId, type: 'function', function: { name: toolUse.name, arguments: JSON.stringify(toolUse.input ?? {}) } });
    }
  }
  return {
    id: `chatcmpl-${context.requestId}`,
    object: 'chat.completion',
    created: Math.floor(nowMs() / 1000),
    model: context.model,
    choices: [
      {
        index: 0,
        message: { role: 'assistant', content: texts.length > 0 ? texts.join('') : null, refusal: null, ...(toolCalls.length > 0 ? { tool_calls: toolCalls } : {}) },
        logprobs: null,
        finish_reason: toFinishReason(stopReason),
      },
    ],
    usage: toOpenAiUsage(usage),
  };
}

function readResponse(body: unknown): { content: Array<Record<string, unknown>>; stopReason: unknown; usage: BedrockUsage | undefined } {
  const response = body as { output?: { message?: { content?: unknown } }; stopReason?: unknown; usage?: unknown } | null;
  const content = response?.output?.message?.content;
  if (typeof response !== 'object' || response === null || !Array.isArray(content)) throw new UnreadableConverseResponse('no output.message.content');
  if (!content.every((block) => typeof block === 'object' && block !== null)) throw new UnreadableConverseResponse('a content block is not an object');
  const usage = typeof response.usage === 'object' && response.usage !== null ? (response.usage as BedrockUsage) : undefined;
  return { content: content as Array<Record<string, unknown>>, stopReason: response.stopReason, usage };
}
