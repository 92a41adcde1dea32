// The fake Anthropic Messages server's public shapes, and the wire shapes it writes
// (PROVIDERS.md §2; anthropics/anthropic-sdk-typescript `tests/lib/fixtures`).

export const FAKE_ANTHROPIC_API_KEY = 'sk-ant-fake-0000000000';

/** How the fake answers the next requests; `auto` reads the request as a real model would. */
export type FakeAnthropicScenario =
  /** Text; tool_use when the request has tools and the last user turn is no tool_result; text about a tool_result. */
  | { kind: 'auto' }
  /** Always this text. */
  | { kind: 'text'; text: string }
  /** tool_use with this many tools (the request must have tools). */
  | { kind: 'tool_use'; toolCount: 1 | 2 }
  /** An Anthropic-shaped HTTP error: 429 carries retry-after; 500 api_error; 529 overloaded_error. */
  | { kind: 'http_error'; status: number; retryAfterSeconds?: number; message?: string }
  /**
   * Streams only: an `error` event after `afterEvents` events (default 3), then the body ends.
   * `message` may be built from the caller's x-api-key (a provider echoing it).
   */
  | { kind: 'stream_error_event'; errorType?: string; message?: string | ((key: string) => string); afterEvents?: number }
  /** The socket is destroyed: after `afterEvents` events (default 3) in a stream, at once otherwise. */
  | { kind: 'stream_cut'; afterEvents?: number }
  /** Streams only: the body ends cleanly after `afterEvents` events (default 3), before any stop reason. */
  | { kind: 'stream_end'; afterEvents?: number }
  /** Streams only: nothing more after `afterEvents` events (default 3); the connection stays open. */
  | { kind: 'stream_stall'; afterEvents?: number }
  /** Streams only: the whole answer including message_delta (stop_reason, usage), then the body ends without message_stop. */
  | { kind: 'no_message_stop' }
  /** Streams only: a content_block_delta whose one `data:` line has `chars` characters, written in 64 KiB pieces. */
  | { kind: 'huge_sse_line'; chars: number }
  /** An Anthropic-shaped HTTP error whose message is built from the caller's x-api-key. Answered before the key is checked. */
  | { kind: 'echo_key'; status: number; message: (key: string) => string }
  /** An Anthropic-shaped HTTP error with a message of `chars` characters. */
  | { kind: 'huge_error_body'; status: number; chars: number }
  /** 200 with a JSON content type and a body that is not JSON (non-stream requests). */
  | { kind: 'invalid_json' }
  /** 200 with a valid message whose text makes the body `bytes` long (non-stream requests). */
  | { kind: 'oversized_answer'; bytes: number };

export interface FakeAnthropicOptions {
  /** Keys accepted in x-api-key; default [FAKE_ANTHROPIC_API_KEY]. */
  validApiKeys?: string[];
  /** Pause between stream events; 0 (default) yields with setImmediate. */
  eventDelayMs?: number;
  scenario?: FakeAnthropicScenario;
  /** Prompt-cache counts every answer reports (cache_read_input_tokens, cache_creation_input_tokens); 0 by default. */
  cacheTokens?: { read: number; write: number };
}

export interface RecordedRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  /** The parsed JSON body, or the raw text when it is not JSON. */
  body: unknown;
}

export interface FakeAnthropic {
  /** Base URL without /v1 (the ANTHROPIC_BASE_URL convention). */
  url: string;
  requests: RecordedRequest[];
  /** Sockets still open (streams in flight, idle keep-alive connections). */
  openConnections(): number;
  /** Answers the next `times` requests (default: all of them) by `scenario`, then `auto` again. */
  setScenario(scenario: FakeAnthropicScenario, times?: number): void;
  close(): Promise<void>;
}

export type FakeContentBlock =
  | { type: 'thinking'; thinking: string; signature: string }
  | { type: 'text'; text: string }
  | { type: 'tool_use'; id: string; name: string; input: Record<string, unknown> };

export interface FakeMessage {
  id: string;
  type: 'message';
  role: 'assistant';
  model: string;
  content: FakeContentBlock[];
  stop_reason: 'end_turn' | 'max_tokens' | 'tool_use';
  stop_sequence: null;
  usage: { input_tokens: number; cache_creation_input_tokens: number; cache_read_input_tokens: number; output_tokens: number };
}

/** A request body that passed validation; only what the fake reads is typed. */
export interface FakeMessagesRequest {
  model: string;
  max_tokens: number;
  stream: boolean;
  messages: Array<{ role: 'user' | 'assistant'; content: string | Array<Record<string, unknown> & { type: string }> }>;
  tools: Array<{ name: string; input_schema: Record<string, unknown> }>;
  tool_choice?: { type: string; name?: string; disable_parallel_tool_use?: boolean };
  thinking?: { type: string; budget_tokens?: number };
}
