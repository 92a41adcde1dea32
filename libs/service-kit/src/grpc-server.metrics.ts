import { ResponderBuilder, ServerInterceptingCall, status as GrpcStatus, type ServerInterceptor } from '@grpc/grpc-js';
import { Counter, Histogram, type Registry } from 'prom-client';

const CODE_NAMES = Object.fromEntries(Object.entries(GrpcStatus).map(([name, code]) => [code, name]));

/** gRPC server metrics in the grpc-ecosystem/go-grpc-prometheus names, recorded by a server interceptor. */
export class GrpcServerMetrics {
  private readonly handled: Counter<'grpc_service' | 'grpc_method' | 'grpc_code'>;
  private readonly duration: Histogram<'grpc_service' | 'grpc_method'>;

  constructor(registry: Registry) {
    this.handled = new Counter({
      name: 'grpc_server_handled_total',
      help: 'RPCs completed on the server, by code.',
      labelNames: ['grpc_service', 'grpc_method', 'grpc_code'],
      registers: [registry],
    });
    this.duration = new Histogram({
      name: 'grpc_server_handling_seconds',
      help: 'Time to handle an RPC on the server, streams until their end.',
      labelNames: ['grpc_service', 'grpc_method'],
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
      registers: [registry],
    });
  }

  readonly interceptor: ServerInterceptor = (descriptor, call) => {
    const [, service = 'unknown', method = 'unknown'] = descriptor.path.split('/');
    const started = process.hrtime.bigint();
    const responder = new ResponderBuilder()
      .withSendStatus((status, next) => {
        this.handled.inc({ grpc_service: service, grpc_method: method, grpc_code: CODE_NAMES[status.code] ?? String(status.code) });
        this.duration.observe({ grpc_service: service, grpc_method: method }, Number(process.hrtime.bigint() - started) / 1e9);
        next(status);
      })
      .build();
    return new ServerInterceptingCall(call, responder);
  };
}
