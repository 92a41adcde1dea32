import { status as GrpcStatus, type Server, type ServerUnaryCall, type ServerWritableStream, type sendUnaryData } from '@grpc/grpc-js';
import { service as HEALTH_SERVICE, type ServingStatus } from 'grpc-health-check';

/** Longer than any name a service registers; a longer one names nothing. */
const MAX_SERVICE_NAME_LENGTH = 256;
/** Open Watch calls one server holds at once (probes and balancers need a handful). */
export const MAX_HEALTH_WATCHERS = 1_000;
/** Statuses a List call returns at most, as grpc-health-check bounds it. */
const MAX_LISTED = 100;

interface Watcher {
  service: string;
  write(status: ServingStatus | 'SERVICE_UNKNOWN'): void;
}

/**
 * grpc.health.v1 (Check, Watch, List) of one server. Callers need no credential (Kubernetes'
 * probe has none), so nothing a caller names is kept past its call: a watch holds memory only
 * while it is open, at most MAX_HEALTH_WATCHERS at once, and a name longer than any service's is
 * refused. (grpc-health-check's HealthImplementation kept every watched name for good.)
 */
export class GrpcHealth {
  private readonly statuses = new Map<string, ServingStatus>([['', 'NOT_SERVING']]);
  private readonly watchers = new Set<Watcher>();

  setStatus(service: string, status: ServingStatus): void {
    this.statuses.set(service, status);
    for (const watcher of this.watchers) if (watcher.service === service) watcher.write(status);
  }

  addToServer(server: Server): void {
    server.addService(HEALTH_SERVICE, {
      check: (call: ServerUnaryCall<{ service: string }, unknown>, callback: sendUnaryData<unknown>) => {
        const status = this.known(call.request.service);
        if (status) callback(null, { status });
        else callback({ code: GrpcStatus.NOT_FOUND, details: 'health status unknown for that service' });
      },
      watch: (call: ServerWritableStream<{ service: string }, unknown>) => {
        const service = call.request.service;
        if (service.length > MAX_SERVICE_NAME_LENGTH) return void call.emit('error', { code: GrpcStatus.INVALID_ARGUMENT, details: 'no service has so long a name' });
        if (this.watchers.size >= MAX_HEALTH_WATCHERS) return void call.emit('error', { code: GrpcStatus.RESOURCE_EXHAUSTED, details: 'too many health watches' });
        const watcher: Watcher = { service, write: (status) => call.write({ status }) };
        this.watchers.add(watcher);
        call.on('cancelled', () => this.watchers.delete(watcher));
        watcher.write(this.statuses.get(service) ?? 'SERVICE_UNKNOWN');
      },
      list: (_call: ServerUnaryCall<unknown, unknown>, callback: sendUnaryData<unknown>) => {
        if (this.statuses.size > MAX_LISTED) return callback({ code: GrpcStatus.RESOURCE_EXHAUSTED, details: 'too many services to list' });
        callback(null, { statuses: Object.fromEntries([...this.statuses].map(([service, status]) => [service, { status }])) });
      },
    });
  }

  /** How many watches are open (for tests and metrics). */
  get watching(): number {
    return this.watchers.size;
  }

  private known(service: string): ServingStatus | undefined {
    return service.length > MAX_SERVICE_NAME_LENGTH ? undefined : this.statuses.get(service);
  }
}
