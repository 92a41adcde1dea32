// grpc.health.v1 on a GatewayGrpcServer over real gRPC on loopback, from a caller without a
// credential (as Kubernetes' probe calls it): nothing a caller names outlives its call.
import { credentials, loadPackageDefinition, type Client, type ClientReadableStream, type ServiceError } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { protoPath as HEALTH_PROTO } from 'grpc-health-check';
import { GATEWAY_V1_PACKAGE_NAME, PROTO_FILES } from '@ai-gateway/proto';
import { GatewayGrpcServer } from './grpc-server.strategy';
import { generateServiceCredential, serviceCallersValue, ServiceCallers } from './service-credential';

type HealthClient = Client & {
  watch(request: { service: string }): ClientReadableStream<{ status: string }>;
  check(request: { service: string }, callback: (error: ServiceError | null, answer?: { status: string }) => void): void;
};

describe('grpc.health.v1 of a GatewayGrpcServer', () => {
  let server: GatewayGrpcServer;
  let client: HealthClient;
  const watching = () => (server as unknown as { health: { watching: number } }).health.watching;

  beforeAll(async () => {
    const callers = ServiceCallers.parse(serviceCallersValue({ router: generateServiceCredential() }));
    server = new GatewayGrpcServer({ url: '127.0.0.1:0', package: GATEWAY_V1_PACKAGE_NAME, protoPath: PROTO_FILES.config, callers });
    await server.createClient();
    const Health = (loadPackageDefinition(loadSync(HEALTH_PROTO, { keepCase: true, enums: String })) as never as { grpc: { health: { v1: { Health: new (...args: unknown[]) => HealthClient } } } }).grpc.health.v1.Health;
    client = new Health(`127.0.0.1:${server.port}`, credentials.createInsecure(), { 'grpc.max_send_message_length': 4 * 1024 * 1024 });
  });

  afterAll(async () => {
    client.close();
    await server.close();
  });

  const firstOf = (call: ClientReadableStream<{ status: string }>) =>
    new Promise<{ status?: string; code?: number }>((resolve) => {
      call.once('data', (answer: { status: string }) => resolve({ status: answer.status }));
      call.once('error', (error: ServiceError) => resolve({ code: error.code }));
    });

  it('refuses a watch of a name longer than any service has, keeping nothing of it', async () => {
    for (let i = 0; i < 20; i++) {
      const call = client.watch({ service: `${i}:${'x'.repeat(256 * 1024)}` });
      expect(await firstOf(call)).toEqual({ code: 3 });
    }
    expect(watching()).toBe(0);
  });

  it('holds a watch of an unknown name only while it is open', async () => {
    const calls = Array.from({ length: 20 }, (_, i) => client.watch({ service: `unknown-${i}` }));
    for (const call of calls) expect(await firstOf(call)).toEqual({ status: 'SERVICE_UNKNOWN' });
    expect(watching()).toBe(20);
    for (const call of calls) {
      call.on('error', () => undefined);
      call.cancel();
    }
    for (let i = 0; i < 100 && watching() > 0; i++) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(watching()).toBe(0);
  });

  it("tells a watcher of the server's own status each change, and answers Check", async () => {
    const call = client.watch({ service: '' });
    const statuses: string[] = [];
    call.on('data', (answer: { status: string }) => statuses.push(answer.status));
    call.on('error', () => undefined);
    for (let i = 0; i < 100 && statuses.length === 0; i++) await new Promise((resolve) => setTimeout(resolve, 10));
    server.setServing(true);
    for (let i = 0; i < 100 && statuses.length < 2; i++) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(statuses).toEqual(['NOT_SERVING', 'SERVING']);
    call.cancel();
    const check = (service: string) => new Promise<unknown>((resolve) => client.check({ service }, (error, answer) => resolve(error ? error.code : answer?.status)));
    expect(await check('')).toBe('SERVING');
    expect(await check('nothing-by-that-name')).toBe(5);
  });
});
