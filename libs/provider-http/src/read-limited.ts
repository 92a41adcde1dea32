import type { UpstreamResponse } from './upstream.client';

/** Reads at most `limit` bytes of an (error) body as text and releases the connection. */
export async function readLimited(response: UpstreamResponse, limit = 64 * 1024): Promise<string> {
  const parts: Buffer[] = [];
  let size = 0;
  for await (const piece of response.body) {
    const buffer = piece as Buffer;
    size += buffer.length;
    parts.push(buffer);
    if (size > limit) break;
  }
  response.body.destroy();
  return Buffer.concat(parts).toString('utf8').slice(0, limit);
}

/** Flattens a headers record to the gRPC Header list. */
export function headerList(headers: Record<string, string>): Array<{ name: string; value: string }> {
  return Object.entries(headers).map(([name, value]) => ({ name, value }));
}
