// The fake Gemini API's public shapes (PROVIDERS.md §3; ai.google.dev/api; googleapis/js-genai).
import type { KeyObject } from 'node:crypto';

export const FAKE_GEMINI_API_KEY = 'AIzaFakeGeminiKey000000000000000000000';

/** How the fake answers the next requests; `auto` reads the request as a real model would. */
export type FakeGeminiScenario =
  /** Text; function calls when the request has tools and the last user turn holds no functionResponse; text about a functionResponse. */
  | { kind: 'auto' }
  /** Always this text. */
  | { kind: 'text'; text: string }
  /** This many function calls (the request must have tools); a thinking model signs the first. */
  | { kind: 'function_calls'; count: 1 | 2 }
  /**
   * A Google-shaped HTTP error. `rate_limit` is a per-minute 429 with RetryInfo (retryDelaySeconds,
   * default 1); `daily_quota` a 429 on a per-day quota; `unavailable` a 503; `internal` a 500.
   */
  | { kind: 'http_error'; error: 'rate_limit' | 'daily_quota' | 'unavailable' | 'internal'; retryDelaySeconds?: number }
  /** Streams only: `data: {"error": …}` after `afterEvents` events (default 1), then the body ends. The message may echo the key. */
  | { kind: 'stream_error_event'; code?: number; message?: string | ((key: string) => string); afterEvents?: number }
  /** The socket is destroyed: after `afterEvents` events (default 1) in a stream, at once otherwise. */
  | { kind: 'stream_cut'; afterEvents?: number }
  /** Streams only: the body ends cleanly after `afterEvents` events (default 1), before any finish reason. */
  | { kind: 'stream_end'; afterEvents?: number }
  /** Streams only: nothing more after `afterEvents` events (default 1); the connection stays open. */
  | { kind: 'stream_stall'; afterEvents?: number }
  /** A 400 whose message is built from the caller's credential (API key or bearer token). Answered before it is checked. */
  | { kind: 'echo_key'; message: (key: string) => string }
  /** A Google-shaped 500 with a message of `chars` characters. */
  | { kind: 'huge_error_body'; chars: number }
  /** 200 with a JSON content type and a body that is not JSON (non-stream requests). */
  | { kind: 'invalid_json' }
  /** The prompt is blocked: promptFeedback.blockReason, no candidate. */
  | { kind: 'blocked' };

/** A Vertex service account the fake's token endpoint knows. */
export interface FakeVertexAccount {
  clientEmail: string;
  publicKey: KeyObject;
}

export interface FakeGeminiOptions {
  /** Keys accepted in x-goog-api-key; default [FAKE_GEMINI_API_KEY]. */
  validApiKeys?: string[];
  /** Service accounts whose signed JWTs the token endpoint (`/token`) exchanges for access tokens. */
  vertexAccounts?: FakeVertexAccount[];
  /** Lifetime the token endpoint gives its tokens, in seconds (default 3599). */
  tokenLifetimeSeconds?: number;
  /** Pause between stream events; 0 (default) yields with setImmediate. */
  eventDelayMs?: number;
  scenario?: FakeGeminiScenario;
}

export interface RecordedGeminiRequest {
  method: string;
  /** Path and query, as sent. */
  path: string;
  headers: Record<string, string>;
  /** The parsed JSON body (or the form fields of a token request), or the raw text. */
  body: unknown;
  /** When the request arrived (Date.now()), for ordering and waits between attempts. */
  receivedAt: number;
}

export interface FakeGemini {
  /** The GEMINI_BASE_URL form: no /v1beta. Vertex paths (/v1/projects/…) are served on the same origin. */
  url: string;
  /** The token endpoint to put in a test service account's token_uri. */
  tokenUri: string;
  requests: RecordedGeminiRequest[];
  /** Access tokens minted so far, in order. */
  issuedTokens: string[];
  openConnections(): number;
  /** Answers the next `times` generate/embed requests (default: all of them) by `scenario`, then `auto` again. */
  setScenario(scenario: FakeGeminiScenario, times?: number): void;
  close(): Promise<void>;
}

export interface GeminiWirePart {
  text?: string;
  thought?: boolean;
  thoughtSignature?: string;
  functionCall?: { name: string; args: Record<string, unknown> };
  functionResponse?: { name: string; response: Record<string, unknown> };
  inlineData?: { mimeType: string; data: string };
  fileData?: { mimeType?: string; fileUri: string };
}

export interface GeminiWireRequest {
  contents: Array<{ role: 'user' | 'model'; parts: GeminiWirePart[] }>;
  systemInstruction?: { parts: Array<{ text: string }> };
  tools?: Array<{ functionDeclarations: Array<{ name: string; description?: string; parameters?: Record<string, unknown>; parametersJsonSchema?: Record<string, unknown> }> }>;
  toolConfig?: { functionCallingConfig: { mode: string; allowedFunctionNames?: string[] } };
  generationConfig?: { maxOutputTokens?: number; stopSequences?: string[] } & Record<string, unknown>;
}

export interface GeminiWireResponse {
  candidates?: Array<{ content: { role: 'model'; parts: GeminiWirePart[] }; finishReason?: string; index: number }>;
  promptFeedback?: { blockReason: string };
  usageMetadata: { promptTokenCount: number; candidatesTokenCount?: number; totalTokenCount: number; thoughtsTokenCount?: number };
  modelVersion: string;
  responseId: string;
}
