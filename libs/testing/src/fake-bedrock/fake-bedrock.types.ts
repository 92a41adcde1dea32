// The fake Bedrock Runtime's public shapes (PROVIDERS.md §4; AWS Bedrock API reference
// "Converse", "ConverseStream", "InvokeModel"; aws-sdk-js-v3 client-bedrock-runtime models).

/** Static test credentials: the fake recomputes every request's SigV4 signature from them. */
export const FAKE_BEDROCK_CREDENTIALS = {
  accessKeyId: 'AKIAFAKEBEDROCK7EXMPL',
  secretAccessKey: 'fAkeSecretAccessKey0bedrock/Gw7pQ2xZ9sLmK',
  sessionToken: 'FwoGZXIvYXdzEFakeSessionTokenBedrock0000aGVsbG8td29ybGQtdGhpcy1pcy1hLWZha2U=',
} as const;

/** A Bedrock API key (bearer token), the other way to authenticate. */
export const FAKE_BEDROCK_API_KEY = 'ABSKQmVkcm9ja0FQSUtleS1mYWtlLTAwMDAwMDAwMDAwMA==';

export const FAKE_BEDROCK_REGION = 'us-east-1';

/** How the fake answers the next requests; `auto` reads the request as a real model would. */
export type FakeBedrockScenario =
  /** Text; toolUse when the request has tools and the last user turn holds no toolResult; text about a toolResult. */
  | { kind: 'auto' }
  | { kind: 'text'; text: string }
  /** toolUse blocks, one per tool (up to this many; the request must have tools). */
  | { kind: 'tool_use'; toolCount: number }
  /** A Bedrock error answer: status, `x-amzn-errortype` and `{"message"}`; 429 ThrottlingException by default for 429. */
  | { kind: 'http_error'; status: number; errorType?: string; message?: string }
  /**
   * Streams only: an exception frame (`:message-type` exception) after `afterEvents` events
   * (0: before any event), then the body ends. `message` may be built from the credentials
   * (access key id, secret access key and session token: a provider echoing them).
   */
  | { kind: 'stream_exception'; exceptionType: string; message?: string | ((secret: string) => string); afterEvents?: number }
  /** Streams only: the socket is destroyed after `afterEvents` events. */
  | { kind: 'stream_cut'; afterEvents: number }
  /** Streams only: nothing more after `afterEvents` events; the connection stays open. */
  | { kind: 'stream_stall'; afterEvents: number }
  /** 200 with this body as it is (a broken answer: invalid JSON, unreadable frames), after authentication. */
  | { kind: 'raw'; body: string | Uint8Array; contentType?: string }
  /** An error answer whose message is built from the caller's secret (its AWS credentials, or the bearer token). */
  | { kind: 'echo_secret'; status: number; errorType: string; message: (secret: string) => string };

export interface FakeBedrockOptions {
  /** AWS credentials accepted (SigV4); default [FAKE_BEDROCK_CREDENTIALS]. */
  credentials?: Array<{ accessKeyId: string; secretAccessKey: string; sessionToken?: string }>;
  /** Bedrock API keys accepted as bearer tokens; default [FAKE_BEDROCK_API_KEY]. */
  apiKeys?: string[];
  /** The region requests must be signed for; default FAKE_BEDROCK_REGION. */
  region?: string;
  /** Pause between stream frames; 0 (default) yields with setImmediate. */
  frameDelayMs?: number;
  scenario?: FakeBedrockScenario;
}

export interface RecordedBedrockRequest {
  path: string;
  /** The model id or ARN, decoded from the path. */
  modelId: string;
  operation: string;
  headers: Record<string, string>;
  /** The parsed JSON body, or the raw text when it is not JSON. */
  body: unknown;
  /** How the request authenticated: 'sigv4', 'bearer', or why it was refused. */
  auth: string;
}

export interface FakeBedrock {
  /** The endpoint override (BEDROCK_ENDPOINT_URL convention: origin, no path). */
  url: string;
  region: string;
  requests: RecordedBedrockRequest[];
  /** Sockets still open (streams in flight, idle keep-alive connections). */
  openConnections(): number;
  /** ConverseStream answers written to their end (the socket may still hold them unread). */
  streamsWritten(): number;
  /** Answers the next `times` requests (default: all of them) by `scenario`, then `auto` again. */
  setScenario(scenario: FakeBedrockScenario, times?: number): void;
  close(): Promise<void>;
}

export type FakeConverseBlock = { text: string } | { toolUse: { toolUseId: string; name: string; input: Record<string, unknown> } };

export interface FakeConverseReply {
  content: FakeConverseBlock[];
  stopReason: 'end_turn' | 'tool_use' | 'max_tokens';
  usage: { inputTokens: number; outputTokens: number; totalTokens: number; cacheReadInputTokens: number; cacheWriteInputTokens: number };
}
