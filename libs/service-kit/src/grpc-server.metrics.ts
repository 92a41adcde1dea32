import { Counter, Histogram, type Registry } from 'prom-client';

/** gRPC server metrics of a service, in the grpc-ecosystem/go-grpc-prometheus names. */
export class GrpcServerMetrics {
  readonly handled: Counter<'grpc_service' | 'grpc_method' | 'grpc_code'>;
  readonly duration: Histogram<'grpc_service' | 'grpc_method'>;

  constructor(registry: Registry) {
    this.handled = new Counter({
      name: 'grpc_server_handled_total',
      help: 'RPCs completed on the server, by code.',
      labelNames: ['grpc_service', 'grpc_method', 'grpc_code'],
      registers: [registry],
    });
    this.duration = new Histogram({
      name: 'grpc_server_handling_seconds',
      help: 'Time to handle an RPC on the server.',
      labelNames: ['grpc_service', 'grpc_method'],
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
      registers: [registry],
    });
  }
}
