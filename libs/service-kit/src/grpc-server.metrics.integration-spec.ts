// GrpcServerMetrics on a real grpc-js server over loopback: every call counted by method and
// code, and timed, including calls served by a direct handler (registerDirectMethods).
import { credentials, makeGenericClientConstructor, Metadata, Server, ServerCredentials, status as GrpcStatus, type ServiceError } from '@grpc/grpc-js';
import { Registry } from 'prom-client';
import { directUnary, registerDirectMethods, type MessageCodec } from './direct-grpc-method';
import { GrpcServerMetrics } from './grpc-server.metrics';

/** A message codec of raw bytes (the method under test does not care about its payload). */
const bytes: MessageCodec<Uint8Array> = { encode: (m) => ({ finish: () => m }), decode: (b) => b };
const PATH = '/test.v1.Echo/Echo';

describe('GrpcServerMetrics (real grpc-js server)', () => {
  let server: Server;
  let client: InstanceType<ReturnType<typeof makeGenericClientConstructor>>;
  let registry: Registry;

  beforeAll(async () => {
    registry = new Registry();
    const metrics = new GrpcServerMetrics(registry);
    server = new Server({ interceptors: [metrics.interceptor] });
    registerDirectMethods(server, [
      directUnary(PATH, bytes, bytes, (call, callback) => {
        if (call.request.length === 0) return callback({ code: GrpcStatus.INVALID_ARGUMENT, details: 'empty', metadata: new Metadata() });
        callback(null, call.request);
      }),
    ]);
    const port = await new Promise<number>((resolve, reject) => server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (e, p) => (e ? reject(e) : resolve(p))));
    const Client = makeGenericClientConstructor(
      { Echo: { path: PATH, requestStream: false, responseStream: false, requestSerialize: Buffer.from, requestDeserialize: (b: Buffer) => b, responseSerialize: Buffer.from, responseDeserialize: (b: Buffer) => b } },
      'Echo',
    );
    client = new Client(`127.0.0.1:${port}`, credentials.createInsecure());
  });
  afterAll(() => {
    client?.close();
    server?.forceShutdown();
  });

  const echo = (payload: Buffer) =>
    new Promise<number>((resolve) => (client as unknown as { Echo: (r: Buffer, cb: (e: ServiceError | null) => void) => void }).Echo(payload, (e) => resolve(e ? e.code : GrpcStatus.OK)));

  it('counts each call by method and code and times it, on a direct handler too', async () => {
    expect(await echo(Buffer.from('a'))).toBe(GrpcStatus.OK);
    expect(await echo(Buffer.from('b'))).toBe(GrpcStatus.OK);
    expect(await echo(Buffer.alloc(0))).toBe(GrpcStatus.INVALID_ARGUMENT);
    const text = await registry.metrics();
    expect(text).toContain('grpc_server_handled_total{grpc_service="test.v1.Echo",grpc_method="Echo",grpc_code="OK"} 2');
    expect(text).toContain('grpc_server_handled_total{grpc_service="test.v1.Echo",grpc_method="Echo",grpc_code="INVALID_ARGUMENT"} 1');
    expect(text).toContain('grpc_server_handling_seconds_count{grpc_service="test.v1.Echo",grpc_method="Echo"} 3');
  });
});
