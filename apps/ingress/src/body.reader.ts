import type { IncomingMessage } from 'node:http';
import type { InflightBytesBudget } from '@ai-gateway/service-kit';
import { httpError, type HttpError } from './openai-http-error';

export interface BodyReaderOptions {
  maxBodyBytes: number;
  /** Time from the first body byte expected to the last one received. */
  readTimeoutMs: number;
  budget: InflightBytesBudget;
}

/** A body the reader refused: the answer to send, and whether the connection must close (the rest of the body is unread). */
export class BodyRefused extends Error {
  constructor(readonly answer: HttpError) {
    super(answer.body.error.message);
  }
}

/**
 * Reads a request body into one buffer within the size limit, the read timeout and the
 * process-wide in-flight budget. Bytes taken from the budget stay taken until `release` is
 * called for the request (when its response is finished).
 */
export class BodyReader {
  private readonly held = new WeakMap<IncomingMessage, number>();

  constructor(private readonly options: BodyReaderOptions) {}

  read(request: IncomingMessage): Promise<Buffer> {
    const { maxBodyBytes, readTimeoutMs } = this.options;
    const encoding = request.headers['content-encoding'];
    if (encoding !== undefined && encoding.trim().toLowerCase() !== 'identity') return Promise.reject(encoded());
    const declared = Number(request.headers['content-length']);
    if (Number.isFinite(declared) && declared > maxBodyBytes) return Promise.reject(tooLarge(maxBodyBytes));
    if (Number.isFinite(declared) && declared > 0 && !this.take(request, declared)) return Promise.reject(overloaded());
    const preTaken = this.held.get(request) ?? 0;
    return new Promise<Buffer>((resolve, reject) => {
      // With a declared length the body is copied once, into its final buffer (Node's parser
      // delivers exactly that many bytes); a chunked body is collected and joined.
      const whole = Number.isFinite(declared) && declared > 0 ? Buffer.allocUnsafe(declared) : undefined;
      const parts: Buffer[] = [];
      let size = 0;
      const finish = (error?: BodyRefused): void => {
        clearTimeout(timer);
        request.off('data', onData);
        request.off('end', onEnd);
        request.off('error', onError);
        if (error) reject(error);
        else if (whole) resolve(size === whole.length ? whole : whole.subarray(0, size));
        else resolve(parts.length === 1 ? parts[0] : Buffer.concat(parts, size));
      };
      const onData = (chunk: Buffer): void => {
        size += chunk.length;
        if (size > maxBodyBytes) return finish(tooLarge(maxBodyBytes));
        if (size > preTaken && !this.take(request, size - (this.held.get(request) ?? 0))) return finish(overloaded());
        if (whole && size <= whole.length) chunk.copy(whole, size - chunk.length);
        else parts.push(chunk);
      };
      const onEnd = (): void => finish();
      const onError = (): void => finish(new BodyRefused(httpError(400, 'The request body could not be read.', 'invalid_body')));
      const timer = setTimeout(
        () => finish(new BodyRefused(httpError(408, `The request body was not received within ${readTimeoutMs / 1000} s.`, 'body_timeout'))),
        readTimeoutMs,
      );
      request.on('data', onData);
      request.once('end', onEnd);
      request.once('error', onError);
    });
  }

  /** Gives back what the request's body took from the budget. */
  release(request: IncomingMessage): void {
    const taken = this.held.get(request);
    if (taken === undefined) return;
    this.held.delete(request);
    this.options.budget.give(taken);
  }

  private take(request: IncomingMessage, bytes: number): boolean {
    if (bytes <= 0) return true;
    if (!this.options.budget.tryTake(bytes)) return false;
    this.held.set(request, (this.held.get(request) ?? 0) + bytes);
    return true;
  }
}

function tooLarge(maxBodyBytes: number): BodyRefused {
  return new BodyRefused(httpError(413, `The request body is larger than ${maxBodyBytes} bytes.`, 'request_too_large'));
}

/** A compressed body is refused, not inflated: its size limit would count compressed bytes, and the provider gets the body as sent. */
function encoded(): BodyRefused {
  return new BodyRefused(httpError(415, 'The request body must not be compressed (Content-Encoding): send it as plain JSON.', 'unsupported_content_encoding'));
}

function overloaded(): BodyRefused {
  const answer = httpError(503, 'The gateway is holding too many request bytes right now; retry shortly.', 'gateway_overloaded');
  answer.headers['retry-after'] = '1';
  return new BodyRefused(answer);
}
