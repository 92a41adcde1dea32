// The shape every provider translation library follows (STYLE.md, "Provider translation"):
// pure functions from the canonical OpenAI request to the provider's HTTP request and back,
// and a stream parser object created per request.
import type { ChatCompletion, ChatCompletionChunk, ChatCompletionRequest, CompletionUsage } from './chat-completion.types';

/** What the router decided for this attempt. */
export interface TranslationTarget {
  /** The provider's own model id (aliases resolved by the catalog). */
  model: string;
  /** The catalog's maximum output tokens for the model; 0 when unknown. */
  maxOutputTokens: number;
}

/** An HTTP request to send upstream, relative to the provider's base URL. */
export interface UpstreamRequest {
  path: string;
  headers: Record<string, string>;
  body: string;
}

/** A provider's failure, already expressed in the gateway's (OpenAI's) terms. */
export interface ProviderError {
  /** The status the gateway shows the client (CONTRACT.md): 400, 401, 403, 404, 413, 429, 502, 503, 504. */
  status: number;
  /** The provider's own HTTP status (0 when the error came inside a 200 stream). */
  upstreamStatus: number;
  type: string;
  code: string | null;
  param: string | null;
  message: string;
  /** Whether the router may try again, on this candidate or the next. */
  retryable: boolean;
}

/** Per-request stream state: fed raw bytes as they arrive, returns OpenAI chunks at once. */
export interface ChatStreamParser {
  feed(bytes: Uint8Array): ChatStreamOutput[];
  /** The upstream body ended; reports a stream cut before its natural end. */
  finish(): ChatStreamOutput[];
  /** Usage as the provider reported it, once known. */
  readonly usage: CompletionUsage | undefined;
  /** The provider's model id as the provider reported it, once known. */
  readonly responseModel: string | undefined;
  /** The answer is whole (a stop reason arrived): a transport error after it loses nothing. */
  readonly complete: boolean;
  /** The provider's closing event arrived (for a provider that sends one): nothing after it is read. */
  readonly closed?: boolean;
}

/**
 * Why a stream failed: the provider reported an error (an error event: its status says which),
 * sent something unreadable (malformed), or stopped before a finish reason (stream_cut).
 */
export type StreamFailureCause = 'provider_error' | 'malformed' | 'stream_cut';

export type ChatStreamOutput =
  | { kind: 'chunk'; chunk: ChatCompletionChunk }
  | { kind: 'error'; error: ProviderError; cause: StreamFailureCause };

export interface ChatStreamOptions {
  /** The client asked for stream_options.include_usage: emit the final usage chunk. */
  includeUsage: boolean;
  /** The provider's model id to report when the provider does not say. */
  model: string;
}

export interface ChatTranslator {
  /** Throws OpenAiRequestError (400, naming the parameter) for what the provider cannot honour. */
  request(
    request: ChatCompletionRequest,
    target: TranslationTarget,
    apiKey: string,
    clientHeaders: Record<string, string>,
  ): UpstreamRequest;
  response(body: unknown, target: TranslationTarget): ChatCompletion;
  streamParser(options: ChatStreamOptions): ChatStreamParser;
  error(upstreamStatus: number, bodyText: string, headers: Record<string, string>): ProviderError;
  /** The provider's rate-limit headers as the client should see them (as they are, plus x-ratelimit-* names). */
  rateLimitHeaders(headers: Record<string, string>): Record<string, string>;
}
