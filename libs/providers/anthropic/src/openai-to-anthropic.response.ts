import { OpenAiRequestError, type ChatCompletion, type ToolCall } from '@ai-gateway/openai-api';
import type { AnthropicMessageResponse, AnthropicResponseBlock, AnthropicToolUseBlock } from './anthropic.types';
import { toStopReason } from './anthropic-stop-reason';
import { toAnthropicUsage } from './anthropic-usage';

type CompletionMessage = ChatCompletion['choices'][number]['message'] & { reasoning_content?: unknown; reasoning?: unknown };

/**
 * An OpenAI chat completion as an Anthropic Messages response (for a Claude-native client served
 * by another kind). Reasoning text some OpenAI-compatible servers return becomes a thinking block
 * with an empty signature: no Claude model signed it.
 */
export function toAnthropicMessage(body: unknown): AnthropicMessageResponse {
  const completion = asChatCompletion(body);
  const choice = completion.choices[0];
  const message = (choice?.message ?? { role: 'assistant', content: null }) as CompletionMessage;
  const reasoning = reasoningOf(message);
  const content: AnthropicResponseBlock[] = [
    ...(reasoning ? [{ type: 'thinking' as const, thinking: reasoning, signature: '' }] : []),
    ...(typeof message.content === 'string' && message.content.length > 0 ? [{ type: 'text' as const, text: message.content }] : []),
    // A refusal (structured outputs) is what the model said instead of an answer: the client sees it as text.
    ...(typeof message.refusal === 'string' && message.refusal.length > 0 ? [{ type: 'text' as const, text: message.refusal }] : []),
    ...(message.tool_calls ?? []).map(toToolUse),
  ];
  return {
    id: completion.id,
    type: 'message',
    role: 'assistant',
    model: completion.model,
    content,
    stop_reason: toStopReason(choice?.finish_reason),
    stop_sequence: null,
    usage: toAnthropicUsage(completion.usage),
  };
}

/** A tool call's `arguments` JSON string as the `input` object; arguments that are no JSON object become `{}`. */
export function toolInputOf(argumentsJson: string | undefined): Record<string, unknown> {
  if (!argumentsJson) return {};
  try {
    const parsed: unknown = JSON.parse(argumentsJson);
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

function toToolUse(call: ToolCall): AnthropicToolUseBlock {
  return { type: 'tool_use', id: call.id, name: call.function?.name ?? '', input: toolInputOf(call.function?.arguments) };
}

function reasoningOf(message: CompletionMessage): string | undefined {
  const reasoning = message.reasoning_content ?? message.reasoning;
  return typeof reasoning === 'string' && reasoning.length > 0 ? reasoning : undefined;
}

function asChatCompletion(body: unknown): ChatCompletion {
  const candidate = body as Partial<ChatCompletion> | null;
  if (typeof candidate !== 'object' || candidate === null || typeof candidate.id !== 'string' || !Array.isArray(candidate.choices)) {
    throw new OpenAiRequestError('The upstream provider returned an unreadable response.', 502, 'api_error', null, 'bad_upstream_response');
  }
  return candidate as ChatCompletion;
}
