import type { AnthropicClientMessagesRequest } from '@ai-gateway/providers-anthropic';

/** English text averages about four characters a token in Claude's and OpenAI's tokenizers. */
const CHARS_PER_TOKEN = 4;
/** Anthropic's largest image cost (about 1.15 megapixels at width×height/750); an estimate cannot see the pixels. */
const TOKENS_PER_IMAGE = 1_600;
/** Role and turn framing each message adds. */
const TOKENS_PER_MESSAGE = 4;
/** Bounds the walk: a request is already bounded in size, depth and counts at the edge. */
const MAX_NODES = 200_000;

/**
 * An estimate of a Messages request's input tokens, answered by the gateway itself (no provider
 * call, no key, no cost): the text of the system prompt, the turns, tool calls and results and
 * the tool definitions at four characters a token, images at Anthropic's largest image cost.
 */
export function estimateInputTokens(request: AnthropicClientMessagesRequest): number {
  const counter = { chars: 0, images: 0, nodes: 0 };
  walk(request.system, counter);
  walk(request.messages, counter);
  walk(request.tools, counter);
  const messages = Array.isArray(request.messages) ? request.messages.length : 0;
  return Math.ceil(counter.chars / CHARS_PER_TOKEN) + counter.images * TOKENS_PER_IMAGE + messages * TOKENS_PER_MESSAGE;
}

function walk(value: unknown, counter: { chars: number; images: number; nodes: number }): void {
  if (++counter.nodes > MAX_NODES || value === null || value === undefined) return;
  if (typeof value === 'string') {
    counter.chars += value.length;
    return;
  }
  if (typeof value === 'number' || typeof value === 'boolean') {
    counter.chars += String(value).length;
    return;
  }
  if (Array.isArray(value)) {
    for (const item of value) walk(item, counter);
    return;
  }
  if (typeof value !== 'object') return;
  const record = value as Record<string, unknown>;
  if (record.type === 'image') {
    counter.images += 1;
    return;
  }
  for (const [key, item] of Object.entries(record)) {
    // Keys like "type" and "role" are framing, not text the model reads; schema property names are.
    if (key !== 'type' && key !== 'role' && key !== 'cache_control') walk(item, counter);
  }
}
