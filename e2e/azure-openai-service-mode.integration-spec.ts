// The azure-openai kind in service mode: the same AzureOpenAiAdapter behind the generic adapter
// gRPC service, called as the router calls it (GrpcProviderAdapter), answers and fails exactly
// as it does embedded — a content filter stays the client's 400, a missing deployment a 404.
import { Metadata } from '@grpc/grpc-js';
import { createAdapterService, GrpcProviderAdapter } from '@ai-gateway/adapters';
import type { AdapterRequest, AdapterStreamEvent, ProviderTarget } from '@ai-gateway/proto';
import { decodeGrpcError, GrpcStatus, type RunningService } from '@ai-gateway/service-kit';
import { FAKE_AZURE_API_KEY, startFakeAzureOpenAi, testServiceCredentials, type FakeAzureOpenAi } from '@ai-gateway/testing';

describe('azure-openai adapter in service mode', () => {
  let fake: FakeAzureOpenAi;
  let service: RunningService;
  let client: GrpcProviderAdapter;
  const call = () => ({ signal: new AbortController().signal, metadata: new Metadata() });
  const request = (body: object, model = 'prod-gpt4o'): AdapterRequest =>
    ({
      requestId: 'r',
      target: {
        providerId: 'azure',
        kind: 'azure-openai',
        baseUrl: fake.url,
        apiKey: FAKE_AZURE_API_KEY,
        model,
        maxOutputTokens: 0,
        settings: { headers: {}, project: '', location: '', region: '', apiVersion: '', deployments: {} },
      } as ProviderTarget,
      body: Buffer.from(JSON.stringify(body)),
      includeUsage: false,
      headers: [],
      timeoutMs: 10_000,
      clientModel: 'gpt-4o',
    }) as AdapterRequest;
  const ask = { model: 'gpt-4o', messages: [{ role: 'user', content: 'Hi' }] };

  beforeAll(async () => {
    fake = await startFakeAzureOpenAi();
    const { credentials, callers } = testServiceCredentials();
    service = await createAdapterService(
      { name: 'adapter-azure-openai', kinds: ['azure-openai'], defaultPort: 0 },
      { GRPC_PORT: '0', METRICS_PORT: '0', BIND_HOST: '127.0.0.1', SERVICE_CALLERS: callers, LOG_LEVEL: 'warn' },
    );
    client = new GrpcProviderAdapter(`127.0.0.1:${service.ports.grpc}`, 'azure-openai', credentials.router);
  });
  afterAll(async () => {
    await client?.close();
    await service?.close();
    await fake?.close();
  });

  it('answers a chat and a stream over gRPC', async () => {
    const answer = await client.chat(request(ask), call());
    expect(JSON.parse(Buffer.from(answer.body).toString('utf8')).choices[0].message.content).toBe('Hello from Azure.');
    const events: AdapterStreamEvent[] = [];
    await client.chatStream(request({ ...ask, stream: true }), { push: (event) => events.push(event), whenWritable: () => undefined }, call());
    const text = events
      .flatMap((event) => (event.chunk ? [JSON.parse(Buffer.from(event.chunk).toString('utf8')) as { choices: Array<{ delta: { content?: string } }> }] : []))
      .map((chunk) => chunk.choices[0]?.delta.content ?? '')
      .join('');
    expect(text).toBe('Hello from Azure.');
    expect(events.some((event) => event.usage)).toBe(true);
  });

  it('fails over gRPC as it fails embedded', async () => {
    fake.enqueue({ kind: 'content_filter_prompt' });
    const filtered = decodeGrpcError(await client.chat(request(ask), call()).catch((e: unknown) => e));
    expect(filtered.code).toBe(GrpcStatus.INVALID_ARGUMENT);
    expect(filtered.detail).toMatchObject({ upstreamHttpStatus: 400, openaiErrorCode: 'content_filter', retryable: false });
    const missing = decodeGrpcError(await client.chat(request(ask, 'gone'), call()).catch((e: unknown) => e));
    expect(missing.code).toBe(GrpcStatus.NOT_FOUND);
    expect(missing.detail?.openaiErrorCode).toBe('deployment_not_found');
  });
});
