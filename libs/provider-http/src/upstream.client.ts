import { Agent, request, errors as undiciErrors, type Dispatcher } from 'undici';

export interface UpstreamResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Dispatcher.ResponseData['body'];
}

export type UpstreamFailure = { kind: 'timeout' } | { kind: 'connection'; message: string } | { kind: 'cancelled' };

export class UpstreamCallError extends Error {
  constructor(readonly failure: UpstreamFailure) {
    super(failure.kind === 'connection' ? `connection to provider failed: ${failure.message}` : `provider ${failure.kind}`);
  }
}

/** Keep-alive connection pools to providers, one per origin (undici Agent). */
export class UpstreamClient {
  private readonly agent = new Agent({ keepAliveTimeout: 30_000, keepAliveMaxTimeout: 600_000, connections: 256, pipelining: 1 });

  async post(url: string, headers: Record<string, string>, body: Uint8Array | string, timeoutMs: number, signal: AbortSignal): Promise<UpstreamResponse> {
    try {
      const response = await request(url, {
        method: 'POST',
        headers,
        body,
        signal,
        dispatcher: this.agent,
        headersTimeout: timeoutMs,
        bodyTimeout: timeoutMs,
      });
      return { status: response.statusCode, headers: response.headers, body: response.body };
    } catch (error) {
      throw toUpstreamError(error, signal);
    }
  }

  async close(): Promise<void> {
    await this.agent.close();
  }
}

export function toUpstreamError(error: unknown, signal: AbortSignal): UpstreamCallError {
  if (error instanceof UpstreamCallError) return error;
  if (signal.aborted) {
    return new UpstreamCallError(signal.reason === 'timeout' ? { kind: 'timeout' } : { kind: 'cancelled' });
  }
  if (error instanceof undiciErrors.HeadersTimeoutError || error instanceof undiciErrors.BodyTimeoutError) {
    return new UpstreamCallError({ kind: 'timeout' });
  }
  const code = (error as { code?: string }).code;
  return new UpstreamCallError({ kind: 'connection', message: code ?? (error instanceof Error ? error.message : 'unknown') });
}
