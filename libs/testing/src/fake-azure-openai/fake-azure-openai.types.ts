// The fake Azure OpenAI server's public shapes (PROVIDERS.md §5; MicrosoftDocs azure-ai-docs
// content-filter pages; openai-node `src/azure.ts`).

export const FAKE_AZURE_API_KEY = 'fake0azure0key0123456789abcdef0123';

/** How the fake answers the next chat requests (one scenario per request; `auto` otherwise). */
export type FakeAzureScenario =
  /** Text; a tool call when the request has tools and its last message is no tool result. */
  | { kind: 'auto' }
  /** A filtered prompt: 400 `content_filter` with Azure's innererror. */
  | { kind: 'content_filter_prompt' }
  /** Filtered output: 200 with finish_reason `content_filter` (a stream: asynchronous-filter annotation ends it). */
  | { kind: 'content_filter_output' }
  /** A stream in the asynchronous filter mode: annotation chunks without delta between the tokens. */
  | { kind: 'async_filter' }
  /** 429 with `retry-after-ms` and `retry-after` (seconds, rounded up). */
  | { kind: 'rate_limit'; retryAfterMs: number }
  /** Any status with an Azure-shaped error body. */
  | { kind: 'status'; status: number; code?: string; message?: string }
  /** Streams: an in-band error event after `afterChunks` chunks, then the body ends. */
  | { kind: 'stream_error_event'; afterChunks: number; code?: string | null; type?: string | null; message?: string }
  /** Streams: the socket is destroyed after `afterChunks` chunks. */
  | { kind: 'cut_after_chunks'; afterChunks: number }
  /** An error whose message repeats the caller's credential (api-key or bearer token). */
  | { kind: 'echo_key'; status: number }
  /** No answer at all; the socket stays open. */
  | { kind: 'hang' }
  /** Streams: headers and the annotation and role chunks at once, the first content after `delayMs`. */
  | { kind: 'slow_first_token'; delayMs: number };

export interface FakeAzureOptions {
  /** Deployment name → the model it serves (the `model` answers name). */
  deployments?: Record<string, string>;
  /** Accepted `api-key` values; default [FAKE_AZURE_API_KEY]. */
  apiKeys?: string[];
  /** Bearer tokens accepted besides api-keys (a FakeEntra's `isValidToken`). */
  isValidToken?: (token: string) => boolean;
  /** Dated api-versions served; anything else answers 404 as Azure does. */
  apiVersions?: string[];
  replyWords?: string[];
  /** Pause between stream chunks; 0 (default): none. */
  chunkDelayMs?: number;
}

export interface FakeAzureRequest {
  method: string;
  /** Path without the query. */
  path: string;
  apiVersion: string | null;
  headers: Record<string, string>;
  body: Record<string, unknown> | undefined;
}

export interface FakeAzureOpenAi {
  /** The resource endpoint (what AZURE_OPENAI_ENDPOINT holds). */
  url: string;
  requests: FakeAzureRequest[];
  enqueue(...scenarios: FakeAzureScenario[]): void;
  /** Responses still open (streams in flight, hangs). */
  openResponses(): number;
  close(): Promise<void>;
}

export const DEFAULT_DEPLOYMENTS: Record<string, string> = {
  'prod-gpt4o': 'gpt-4o-2024-08-06',
  'gpt-4o-mini': 'gpt-4o-mini-2024-07-18',
  embed3: 'text-embedding-3-small',
};

export const DEFAULT_API_VERSIONS = ['2024-06-01', '2024-10-21', '2025-04-01-preview'];
