// Anthropic Messages API wire types (PROVIDERS.md §2; anthropics/anthropic-sdk-typescript
// `src/resources/messages/messages.ts`). Only what the gateway reads or writes is typed.

export const ANTHROPIC_VERSION = '2023-06-01';
export const ANTHROPIC_MESSAGES_PATH = '/v1/messages';

export type AnthropicImageMediaType = 'image/jpeg' | 'image/png' | 'image/gif' | 'image/webp';

export interface AnthropicTextBlock {
  type: 'text';
  text: string;
}

export interface AnthropicImageBlock {
  type: 'image';
  source:
    | { type: 'base64'; media_type: AnthropicImageMediaType; data: string }
    | { type: 'url'; url: string };
}

export interface AnthropicToolUseBlock {
  type: 'tool_use';
  id: string;
  name: string;
  input: Record<string, unknown>;
}

export interface AnthropicToolResultBlock {
  type: 'tool_result';
  tool_use_id: string;
  content: string | Array<AnthropicTextBlock | AnthropicImageBlock>;
  is_error?: boolean;
}

/** Extended thinking; the signature proves to the model that produced it that the text is its own. */
export interface AnthropicThinkingBlock {
  type: 'thinking';
  thinking: string;
  signature: string;
}

export interface AnthropicRedactedThinkingBlock {
  type: 'redacted_thinking';
  data: string;
}

export type AnthropicUserBlock = AnthropicTextBlock | AnthropicImageBlock | AnthropicToolResultBlock;
export type AnthropicAssistantBlock = AnthropicTextBlock | AnthropicToolUseBlock;
/** What a client may replay in an assistant turn of a Messages request. */
export type AnthropicReplayedAssistantBlock = AnthropicAssistantBlock | AnthropicThinkingBlock | AnthropicRedactedThinkingBlock;

export type AnthropicMessage =
  | { role: 'user'; content: AnthropicUserBlock[] }
  | { role: 'assistant'; content: AnthropicAssistantBlock[] };

export interface AnthropicTool {
  name: string;
  description?: string;
  input_schema: Record<string, unknown>;
}

export type AnthropicToolChoice =
  | { type: 'auto'; disable_parallel_tool_use?: boolean }
  | { type: 'any'; disable_parallel_tool_use?: boolean }
  | { type: 'tool'; name: string; disable_parallel_tool_use?: boolean }
  | { type: 'none' };

export interface AnthropicMessagesRequest {
  model: string;
  max_tokens: number;
  messages: AnthropicMessage[];
  system?: string | AnthropicTextBlock[];
  stop_sequences?: string[];
  temperature?: number;
  top_p?: number;
  metadata?: { user_id: string };
  tools?: AnthropicTool[];
  tool_choice?: AnthropicToolChoice;
  stream?: true;
}

/**
 * A Messages request as a Claude-native client sends it to the gateway's /v1/messages: content
 * may be a plain string, assistant turns may replay thinking, and `thinking` / `top_k` may be set.
 */
export interface AnthropicClientMessagesRequest extends Omit<AnthropicMessagesRequest, 'messages' | 'stream'> {
  messages: Array<
    | { role: 'user'; content: string | AnthropicUserBlock[] }
    | { role: 'assistant'; content: string | AnthropicReplayedAssistantBlock[] }
    /** A system instruction between turns (the SDK's SystemMessageParam). */
    | { role: 'system'; content: string | AnthropicTextBlock[] }
  >;
  stream?: boolean;
  top_k?: number;
  thinking?: { type: 'enabled'; budget_tokens: number } | { type: 'disabled' };
}

export type AnthropicStopReason =
  | 'end_turn'
  | 'max_tokens'
  | 'stop_sequence'
  | 'tool_use'
  | 'pause_turn'
  | 'refusal'
  | 'model_context_window_exceeded';

export interface AnthropicUsage {
  input_tokens?: number;
  output_tokens?: number;
  cache_creation_input_tokens?: number | null;
  cache_read_input_tokens?: number | null;
}

/** A response content block; kinds the gateway does not translate (thinking, server tools) pass as `type` only. */
export type AnthropicResponseBlock = AnthropicTextBlock | AnthropicToolUseBlock | AnthropicThinkingBlock | { type: string };

export interface AnthropicMessageResponse {
  id: string;
  type: 'message';
  role: 'assistant';
  model: string;
  content: AnthropicResponseBlock[];
  stop_reason: string | null;
  stop_sequence: string | null;
  usage: AnthropicUsage;
}

export type AnthropicErrorType =
  | 'invalid_request_error'
  | 'authentication_error'
  | 'billing_error'
  | 'permission_error'
  | 'not_found_error'
  | 'conflict_error'
  | 'request_too_large'
  | 'rate_limit_error'
  | 'api_error'
  | 'timeout_error'
  | 'overloaded_error';

export interface AnthropicErrorBody {
  type: 'error';
  error: { type: string; message: string };
  request_id?: string;
}

/** The `data:` JSON of each named SSE event in a Messages stream. */
export type AnthropicStreamEvent =
  | { type: 'message_start'; message: AnthropicStreamStartMessage }
  | { type: 'content_block_start'; index: number; content_block: AnthropicStreamBlockStart }
  | { type: 'content_block_delta'; index: number; delta: AnthropicStreamDelta }
  | { type: 'content_block_stop'; index: number }
  | { type: 'message_delta'; delta: { stop_reason?: string | null; stop_sequence?: string | null }; usage?: AnthropicUsage }
  | { type: 'message_stop' }
  | { type: 'ping' }
  | { type: 'error'; error: { type: string; message: string } };

/** message_start's message: the response envelope with no content yet. */
export interface AnthropicStreamStartMessage {
  id: string;
  model: string;
  usage?: AnthropicUsage;
  type?: 'message';
  role?: 'assistant';
  content?: [];
  stop_reason?: null;
  stop_sequence?: null;
}

export interface AnthropicStreamBlockStart {
  type: string;
  id?: string;
  name?: string;
  text?: string;
  input?: Record<string, unknown>;
  thinking?: string;
  signature?: string;
}

export interface AnthropicStreamDelta {
  type: string;
  text?: string;
  partial_json?: string;
  thinking?: string;
  signature?: string;
}
