import { boundedHeaders } from '@ai-gateway/service-kit';
import type { UpstreamResponse } from './upstream.client';
import { ProviderAnswerError } from './adapter-failure';
import type { UpstreamAttempt } from './upstream-attempt';

/** How much of a provider's error body is read; the message embedded from it is far smaller (MAX_PROVIDER_ERROR_MESSAGE_BYTES). */
export const MAX_ERROR_BODY_BYTES = 64 * 1024;

/** Reads at most `limit` bytes of an (error) body as text and releases the connection. */
export async function readLimited(response: UpstreamResponse, limit = MAX_ERROR_BODY_BYTES): Promise<string> {
  const parts: Buffer[] = [];
  let size = 0;
  for await (const piece of response.body) {
    const buffer = piece as Buffer;
    size += buffer.length;
    parts.push(buffer);
    if (size > limit) break;
  }
  response.body.destroy();
  return Buffer.concat(parts).subarray(0, limit).toString('utf8');
}

/**
 * A whole answer body, read with a running count and refused (ProviderAnswerError 'malformed')
 * past `maxBytes` — at once when Content-Length says so. Each piece restarts the attempt's idle gap.
 */
export async function readBounded(response: UpstreamResponse, maxBytes: number, attempt?: UpstreamAttempt): Promise<Buffer> {
  const declared = Number(response.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes) {
    response.body.destroy();
    throw new ProviderAnswerError('malformed', `answer of ${declared} bytes is larger than the ${maxBytes}-byte limit`);
  }
  const parts: Buffer[] = [];
  let size = 0;
  for await (const piece of response.body) {
    const buffer = piece as Buffer;
    size += buffer.length;
    if (size > maxBytes) {
      response.body.destroy();
      throw new ProviderAnswerError('malformed', `answer is larger than the ${maxBytes}-byte limit`);
    }
    parts.push(buffer);
    attempt?.progress();
  }
  return Buffer.concat(parts, size);
}

/**
 * Flattens a headers record to the gRPC Header list the client will see, bounded like an
 * error's headers (count, name and value sizes): a provider cannot make the gateway send a
 * client an oversized header block.
 */
export function headerList(headers: Record<string, string>): Array<{ name: string; value: string }> {
  return boundedHeaders(Object.entries(headers).map(([name, value]) => ({ name, value })));
}
