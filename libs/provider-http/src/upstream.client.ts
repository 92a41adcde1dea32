import { Agent, request, errors as undiciErrors, type Dispatcher } from 'undici';
import type { AttemptLimits } from './adapter-request';

export interface UpstreamResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Dispatcher.ResponseData['body'];
}

/** Which time limit of an attempt ran out (DESIGN.md: connect/headers, first token, stream idle gap, request deadline). */
export type TimeoutPhase = 'headers' | 'first_token' | 'idle' | 'deadline';

/** Why there is no (more) answer from the provider; classified where the error is first seen. */
export type UpstreamFailure =
  | { kind: 'timeout'; phase: TimeoutPhase; limitMs: number }
  | { kind: 'connection'; message: string }
  | { kind: 'cancelled' };

/** The reason an attempt's AbortSignal carries. */
export type AbortReason = { kind: 'timeout'; phase: TimeoutPhase; limitMs: number } | { kind: 'cancelled' };

export class UpstreamCallError extends Error {
  constructor(readonly failure: UpstreamFailure) {
    super(failure.kind === 'connection' ? `connection to provider failed: ${failure.message}` : `provider ${failure.kind}`);
  }
}

/**
 * The largest answer an adapter reads from a provider (unary bodies); above it the answer is
 * malformed. 32 MiB matches the largest request the gateway accepts (MAX_BODY_BYTES) and is
 * orders of magnitude above a chat completion. The one legitimate answer that can pass it is an
 * embeddings batch at the API's maximum (2,048 inputs × 3,072 dimensions: ~34 MB as base64,
 * ~120 MB as float JSON); an operator who serves those raises MAX_RESPONSE_BYTES, staying under
 * the 64 MiB gRPC message limit (GRPC_CHANNEL_OPTIONS) the answer must fit in to reach the router.
 */
export const DEFAULT_MAX_RESPONSE_BYTES = 32 * 1024 * 1024;

export interface UpstreamClientOptions {
  maxResponseBytes?: number;
}

/** Keep-alive connection pools to providers, one per origin (undici Agent). */
export class UpstreamClient {
  private readonly agent = new Agent({ keepAliveTimeout: 30_000, keepAliveMaxTimeout: 600_000, connections: 256, pipelining: 1 });
  readonly maxResponseBytes: number;

  constructor(options: UpstreamClientOptions = {}) {
    this.maxResponseBytes = options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
  }

  /**
   * POSTs and resolves at the answer's headers. The attempt's own timers (UpstreamAttempt) end
   * it through `signal`; undici's timeouts are a backstop at the same limits.
   */
  async post(
    url: string,
    headers: Record<string, string>,
    body: Uint8Array | string,
    limits: AttemptLimits,
    signal: AbortSignal,
  ): Promise<UpstreamResponse> {
    try {
      const response = await request(url, {
        method: 'POST',
        // Nothing here decodes a compressed body: without this a provider may send one (RFC 9110 §12.5.3).
        headers: { ...headers, 'accept-encoding': 'identity' },
        body,
        signal,
        dispatcher: this.agent,
        headersTimeout: limits.headersMs,
        bodyTimeout: Math.max(limits.firstTokenMs, limits.idleMs),
      });
      return { status: response.statusCode, headers: response.headers, body: response.body };
    } catch (error) {
      throw toUpstreamError(error, signal, limits);
    }
  }

  async close(): Promise<void> {
    await this.agent.close();
  }
}

/** What a failed request or body read means, from the attempt's signal first (our timers, the caller's cancel). */
export function toUpstreamError(error: unknown, signal: AbortSignal, limits?: AttemptLimits): UpstreamCallError {
  if (error instanceof UpstreamCallError) return error;
  if (signal.aborted) {
    const reason = signal.reason as AbortReason | undefined;
    return new UpstreamCallError(reason?.kind === 'timeout' ? reason : { kind: 'cancelled' });
  }
  if (error instanceof undiciErrors.HeadersTimeoutError) {
    return new UpstreamCallError({ kind: 'timeout', phase: 'headers', limitMs: limits?.headersMs ?? 0 });
  }
  if (error instanceof undiciErrors.BodyTimeoutError) {
    return new UpstreamCallError({ kind: 'timeout', phase: 'idle', limitMs: limits?.idleMs ?? 0 });
  }
  const code = (error as { code?: string }).code;
  return new UpstreamCallError({ kind: 'connection', message: code ?? (error instanceof Error ? error.message : 'unknown') });
}
