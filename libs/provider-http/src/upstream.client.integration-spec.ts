// UpstreamClient over real HTTP: what it asks of the provider.
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { UpstreamClient } from './upstream.client';

describe('UpstreamClient.post', () => {
  let server: Server;
  let url: string;
  const seen: IncomingHttpHeaders[] = [];
  const client = new UpstreamClient();

  beforeAll(async () => {
    server = createServer((request, response) => {
      seen.push(request.headers);
      request.resume().on('end', () => response.end('{}'));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/chat/completions`;
  });

  afterAll(async () => {
    await client.close();
    await new Promise((resolve) => server.close(resolve));
  });

  it('asks for an uncompressed body, which is all it reads (a gzip answer would read as malformed)', async () => {
    const limits = { headersMs: 5_000, firstTokenMs: 5_000, idleMs: 5_000, deadlineUnixMs: 0 };
    const response = await client.post(url, { 'content-type': 'application/json' }, '{}', limits, new AbortController().signal);
    await response.body.dump();
    expect(seen[0]['accept-encoding']).toBe('identity');
  });
});
