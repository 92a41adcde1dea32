import { ResponderBuilder, ServerInterceptingCall, status as GrpcStatus, type ServerInterceptor } from '@grpc/grpc-js';
import { Counter, Histogram, type Registry } from 'prom-client';

const CODE_NAMES = Object.fromEntries(Object.entries(GrpcStatus).map(([name, code]) => [code, name]));

/** One method's series, looked up once per method path rather than built per call. */
interface MethodSeries {
  duration: { observe(value: number): void };
  handled: Map<number, { inc(): void }>;
  labels: { grpc_service: string; grpc_method: string };
}

/** gRPC server metrics in the grpc-ecosystem/go-grpc-prometheus names, recorded by a server interceptor. */
export class GrpcServerMetrics {
  private readonly handled: Counter<'grpc_service' | 'grpc_method' | 'grpc_code'>;
  private readonly duration: Histogram<'grpc_service' | 'grpc_method'>;
  /** Keyed by method path: registered methods only (grpc-js answers unknown paths before interceptors), so bounded. */
  private readonly series = new Map<string, MethodSeries>();

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
    const series = this.seriesOf(descriptor.path);
    const started = performance.now();
    const responder = new ResponderBuilder()
      .withSendStatus((status, next) => {
        this.handledOf(series, status.code).inc();
        series.duration.observe((performance.now() - started) / 1000);
        next(status);
      })
      .build();
    return new ServerInterceptingCall(call, responder);
  };

  private seriesOf(path: string): MethodSeries {
    let series = this.series.get(path);
    if (!series) {
      const [, service = 'unknown', method = 'unknown'] = path.split('/');
      const labels = { grpc_service: service, grpc_method: method };
      series = { labels, duration: this.duration.labels(labels), handled: new Map() };
      this.series.set(path, series);
    }
    return series;
  }

  private handledOf(series: MethodSeries, code: number): { inc(): void } {
    let counter = series.handled.get(code);
    if (!counter) {
      counter = this.handled.labels({ ...series.labels, grpc_code: CODE_NAMES[code] ?? String(code) });
      series.handled.set(code, counter);
    }
    return counter;
  }
}
