import { OpenAiRequestError, type ChatCompletion, type ToolCall, type TranslationTarget } from '@ai-gateway/openai-api';
import type { AnthropicMessageResponse, AnthropicResponseBlock, AnthropicTextBlock, AnthropicToolUseBlock } from './anthropic.types';
import { toFinishReason } from './anthropic-stop-reason';
import { toOpenAiUsage } from './anthropic-usage';

/**
 * An Anthropic Messages response as an OpenAI chat completion. The completion id is Anthropic's
 * message id as is ("msg_…"), so a request can be traced in Anthropic's console.
 */
export function toOpenAiChatCompletion(
  body: unknown,
  target: TranslationTarget,
  nowMs: () => number = Date.now,
): ChatCompletion {
  const message = asMessageResponse(body);
  const text = message.content.filter(isTextBlock).map((block) => block.text);
  const toolCalls = message.content.filter(isToolUseBlock).map(toToolCall);
  return {
    id: message.id,
    object: 'chat.completion',
    created: Math.floor(nowMs() / 1000),
    model: message.model || target.model,
    choices: [
      {
        index: 0,
        message: {
          role: 'assistant',
          content: text.length > 0 ? text.join('') : null,
          refusal: null,
          ...(toolCalls.length > 0 ? { tool_calls: toolCalls } : {}),
        },
        logprobs: null,
        finish_reason: toFinishReason(message.stop_reason),
      },
    ],
    usage: toOpenAiUsage(message.usage ?? {}),
  };
}

function toToolCall(block: AnthropicToolUseBlock): ToolCall {
  return { id: block.id, type: 'function', function: { name: block.name, arguments: JSON.stringify(block.input ?? {}) } };
}

function isTextBlock(block: AnthropicResponseBlock): block is AnthropicTextBlock {
  return block.type === 'text' && typeof (block as AnthropicTextBlock).text === 'string';
}

function isToolUseBlock(block: AnthropicResponseBlock): block is AnthropicToolUseBlock {
  return block.type === 'tool_use';
}

function asMessageResponse(body: unknown): AnthropicMessageResponse {
  const candidate = body as Partial<AnthropicMessageResponse> | null;
  if (
    typeof candidate !== 'object' ||
    candidate === null ||
    typeof candidate.id !== 'string' ||
    !Array.isArray(candidate.content) ||
    !candidate.content.every((block) => typeof block === 'object' && block !== null && typeof block.type === 'string')
  ) {
    throw new OpenAiRequestError('The upstream provider returned an unreadable response.', 502, 'api_error', null, 'bad_upstream_response');
  }
  return candidate as AnthropicMessageResponse;
}
