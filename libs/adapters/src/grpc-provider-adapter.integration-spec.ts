import { Server, ServerCredentials, loadPackageDefinition, type ServerUnaryCall, type ServiceDefinition } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { PROTO_FILES, PROTO_ROOT, type ProviderTarget } from '@ai-gateway/proto';
import { ModelDiscoveryError } from '@ai-gateway/providers-openai';
import { GrpcProviderAdapter } from './grpc-provider-adapter';

// An adapter service that is up but never answers (hung, not down): model discovery through it
// fails within its bounded wait, names the adapter service, and cancels the call.
describe('GrpcProviderAdapter model discovery against a hung adapter service (real gRPC)', () => {
  let server: Server;
  let port: number;
  const calls: Array<ServerUnaryCall<unknown, unknown>> = [];

  beforeAll(async () => {
    const definition = loadSync(PROTO_FILES.adapter, { includeDirs: [PROTO_ROOT] });
    const service = (loadPackageDefinition(definition).gateway as unknown as { v1: { ProviderAdapterService: { service: ServiceDefinition } } }).v1.ProviderAdapterService.service;
    server = new Server();
    const never = (call: ServerUnaryCall<unknown, unknown>): void => void calls.push(call);
    server.addService(service, { Chat: never, ChatStream: never, Embeddings: never, DiscoverModels: never });
    port = await new Promise<number>((resolve, reject) => server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (error, bound) => (error ? reject(error) : resolve(bound))));
  });

  afterAll(() => server.forceShutdown());

  it('fails with a ModelDiscoveryError naming the adapter service after the wait, and cancels the call', async () => {
    const adapter = new GrpcProviderAdapter(`127.0.0.1:${port}`, 'openai', 'router-credential-for-this-test-0123456789');
    const target: ProviderTarget = { providerId: 'vllm', kind: 'openai', baseUrl: 'http://127.0.0.1:1/v1', apiKey: 'sk-hungAdapterKey0123456789abcdef', model: '', maxOutputTokens: 0 };
    const started = Date.now();
    const failure = await adapter.discoverModels(target, undefined, 300).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(ModelDiscoveryError);
    expect((failure as Error).message).toBe('the openai adapter service did not answer within 300 ms');
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(calls).toHaveLength(1);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(calls[0].cancelled).toBe(true);
    await adapter.close();
  });
});
