// Clients that leave mid-request make ingress cancel the router call: one RST_STREAM each on
// the one HTTP/2 session every request shares. nghttp2's flood protection (1,000 resets, then
// 33 per second) would answer a burst of them by tearing the session down, failing every
// unrelated request in flight on it. The gateway's internal servers accept only authenticated
// callers, so they allow a far larger reset rate; this proves a burst no longer hurts bystanders.
import { GATEWAY_V1_PACKAGE_NAME, PROTO_FILES, ROUTER_SERVICE_NAME, type CompletionRequest } from '@ai-gateway/proto';
import { createGrpcClient, GrpcStatus } from '@ai-gateway/service-kit';
import { startFakeOpenAi, startGatewayStack, type FakeOpenAi, type GatewayStack } from '@ai-gateway/testing';
import type { ClientReadableStream, Metadata } from '@grpc/grpc-js';
import { Metadata as GrpcMetadata } from '@grpc/grpc-js';

const PROVIDER_KEY = 'sk-proj-resetFloodKey0123456789abcdefXYZ';
/** Past nghttp2's default burst of 1,000 resets, as fast as one client can cancel. */
const CANCELLED_CALLS = 2_500;

interface RouterStreams {
  streamChatCompletion(request: CompletionRequest, metadata: Metadata): ClientReadableStream<unknown>;
}

describe('a burst of cancelled calls on the shared ingress→router session', () => {
  let upstream: FakeOpenAi;
  let stack: GatewayStack;

  beforeAll(async () => {
    upstream = await startFakeOpenAi({ validKeys: [PROVIDER_KEY], chunkDelayMs: 50 });
    stack = await startGatewayStack({ openaiBaseUrl: upstream.baseUrl, logLevel: 'warn' });
    expect((await stack.admin('POST', '/admin/v1/provider-keys', { provider: 'openai', key: PROVIDER_KEY })).status).toBe(201);
  });

  afterAll(async () => {
    await stack?.close();
    await upstream?.close();
  });

  it('leaves every other call on the session unharmed', async () => {
    const proxy = createGrpcClient({
      url: `127.0.0.1:${stack.apps['router-0'].ports.grpc}`,
      package: GATEWAY_V1_PACKAGE_NAME,
      protoPath: PROTO_FILES.router,
      credential: stack.serviceCredentials.ingress,
    });
    try {
      const router = proxy.getClientByServiceName<RouterStreams>(ROUTER_SERVICE_NAME);
      const request = (id: string): CompletionRequest => ({
        meta: { requestId: id, correlationId: '', apiKeyId: 'k', model: 'gpt-4o', stream: true, includeUsage: false, deadlineMs: 30_000 },
        body: Buffer.from(JSON.stringify({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }], stream: true })),
        headers: [],
      });
      const run = (id: string, cancelAfterMs?: number): Promise<number> =>
        new Promise((resolve) => {
          const call = router.streamChatCompletion(request(id), new GrpcMetadata());
          call.on('data', () => undefined);
          call.on('error', (error: { code?: number }) => resolve(error.code ?? -1));
          call.on('end', () => resolve(GrpcStatus.OK));
          if (cancelAfterMs !== undefined) setTimeout(() => call.cancel(), cancelAfterMs);
        });
      // Bystanders: whole streams that run while the burst of cancellations goes by.
      const bystanders = Array.from({ length: 10 }, (_, i) => run(`bystander-${i}`));
      const cancelled: Array<Promise<number>> = [];
      for (let i = 0; i < CANCELLED_CALLS; i++) {
        cancelled.push(run(`cancelled-${i}`, 0));
        if (i % 100 === 99) await new Promise((resolve) => setImmediate(resolve));
      }
      const codes = await Promise.all(cancelled);
      expect(codes.filter((code) => code !== GrpcStatus.CANCELLED && code !== GrpcStatus.OK)).toEqual([]);
      expect(await Promise.all(bystanders)).toEqual(Array(10).fill(GrpcStatus.OK));
      // The same session still carries new calls.
      expect(await run('after')).toBe(GrpcStatus.OK);
    } finally {
      proxy.close();
    }
  }, 120_000);
});
