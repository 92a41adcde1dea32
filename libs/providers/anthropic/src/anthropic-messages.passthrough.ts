import { OpenAiRequestError, type UpstreamRequest } from '@ai-gateway/openai-api';
import {
  ANTHROPIC_MESSAGES_PATH,
  ANTHROPIC_VERSION,
  type AnthropicClientMessagesRequest,
  type AnthropicMessageResponse,
  type AnthropicReplayedAssistantBlock,
} from './anthropic.types';

export interface PassthroughTarget {
  /** The provider's model id, written over the client's `model` when they differ. */
  model: string;
  apiKey: string;
  /** The attempt serves a fallback model: thinking signed by the requested model must not reach it. */
  viaFallback: boolean;
}

/**
 * A Claude-native client's Messages request as it goes to an Anthropic-kind provider: the
 * client's bytes as they are when nothing needs rewriting, else its JSON with the target's model
 * (and, on a fallback model, without signed thinking). `anthropic-version` and `anthropic-beta`
 * are the client's, unchanged.
 */
export function toPassthroughRequest(
  body: Uint8Array,
  clientModel: string,
  target: PassthroughTarget,
  clientHeaders: Record<string, string>,
  stream: boolean,
): UpstreamRequest {
  const headers: Record<string, string> = {
    'x-api-key': target.apiKey,
    'anthropic-version': clientHeaders['anthropic-version'] || ANTHROPIC_VERSION,
    'content-type': 'application/json',
    ...(clientHeaders['anthropic-beta'] ? { 'anthropic-beta': clientHeaders['anthropic-beta'] } : {}),
  };
  const text = Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8');
  const unsigned = UNSIGNED_THINKING.test(text);
  if (clientModel === target.model && !target.viaFallback && !unsigned) return { path: ANTHROPIC_MESSAGES_PATH, headers, body: text };
  const request = JSON.parse(text) as AnthropicClientMessagesRequest;
  const rewritten = target.viaFallback ? withoutSignedThinking(request) : unsigned ? withoutUnsignedThinking(request) : request;
  return { path: ANTHROPIC_MESSAGES_PATH, headers, body: JSON.stringify({ ...rewritten, model: target.model, ...(stream ? { stream: true } : {}) }) };
}

/** A thinking block with an empty signature: written by a model of another kind (the gateway's translation), never by Claude. */
const UNSIGNED_THINKING = /"signature"\s*:\s*""/;

/** The conversation without thinking blocks no Claude model signed: Anthropic refuses them, and no signature may be made up. */
export function withoutUnsignedThinking(request: AnthropicClientMessagesRequest): AnthropicClientMessagesRequest {
  return withoutThinkingBlocks(request, (block) => block.type === 'thinking' && !block.signature);
}

/**
 * The conversation without thinking blocks (their signatures prove authorship to the model that
 * wrote them only) and with extended thinking off: Anthropic requires a thinking block before a
 * replayed tool_use when thinking is on, so the fallback model answers without thinking. A turn
 * that held only thinking is dropped (Anthropic joins the consecutive turns it leaves).
 */
export function withoutSignedThinking(request: AnthropicClientMessagesRequest): AnthropicClientMessagesRequest {
  const { thinking: _thinking, ...rest } = withoutThinkingBlocks(request, (block) => block.type === 'thinking' || block.type === 'redacted_thinking');
  return rest;
}

function withoutThinkingBlocks(
  request: AnthropicClientMessagesRequest,
  drop: (block: AnthropicReplayedAssistantBlock) => boolean,
): AnthropicClientMessagesRequest {
  const messages = request.messages
    .map((message) => {
      if (message.role !== 'assistant' || typeof message.content === 'string') return message;
      return { ...message, content: message.content.filter((block) => !drop(block)) };
    })
    .filter((message) => typeof message.content === 'string' || message.content.length > 0);
  return { ...request, messages };
}

/** Anthropic's 2xx Messages answer, checked to be a message (its usage and model feed the usage event). */
export function readAnthropicMessage(bytes: Uint8Array): AnthropicMessageResponse {
  let body: unknown;
  try {
    body = JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8'));
  } catch {
    throw unreadable();
  }
  const message = body as Partial<AnthropicMessageResponse> | null;
  if (typeof message !== 'object' || message === null || message.type !== 'message' || !Array.isArray(message.content)) throw unreadable();
  return message as AnthropicMessageResponse;
}

function unreadable(): OpenAiRequestError {
  return new OpenAiRequestError('The upstream provider returned an unreadable response.', 502, 'api_error', null, 'bad_upstream_response');
}
