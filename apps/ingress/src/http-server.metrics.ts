import { Histogram, type Registry } from 'prom-client';

/** OTel `http.server.request.duration` in its Prometheus form, by method, route template and status. */
export function createHttpServerMetrics(registry: Registry): Histogram<'http_request_method' | 'http_route' | 'http_response_status_code'> {
  return new Histogram({
    name: 'http_server_request_duration_seconds',
    help: 'Duration of HTTP server requests (streams until their end).',
    labelNames: ['http_request_method', 'http_route', 'http_response_status_code'],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10, 30, 60],
    registers: [registry],
  });
}
