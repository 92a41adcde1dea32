import { Server, ServerCredentials } from '@grpc/grpc-js';
import { ServerGrpc, type GrpcOptions } from '@nestjs/microservices';
import { HealthImplementation, type ServingStatusMap } from 'grpc-health-check';
import { GRPC_CHANNEL_OPTIONS, GRPC_LOADER_OPTIONS } from './grpc-loader.options';
import type { GrpcServerMetrics } from './grpc-server.metrics';
import { serviceAuthInterceptor, type RefusedCall } from './service-auth.interceptor';
import type { ServiceCallers } from './service-credential';

export interface GatewayGrpcServerOptions {
  /** host:port; port 0 picks a free port, read back with `port`. */
  url: string;
  package: string;
  protoPath: string | string[];
  metrics?: GrpcServerMetrics;
  /** The callers this server accepts; every call but grpc.health.v1 must present one's credential. */
  callers: ServiceCallers;
  onRefused?: (refused: RefusedCall) => void;
}

/**
 * NestJS gRPC transport that also serves grpc.health.v1 (the empty service name
 * registered, as Kubernetes' native gRPC probe asks for it), reports the port it bound,
 * authenticates every other call (serviceAuthInterceptor), and drains in-flight calls on close.
 */
export class GatewayGrpcServer extends ServerGrpc {
  private boundPort = 0;
  private readonly health: HealthImplementation;
  private server: Server | undefined;

  constructor(private readonly gatewayOptions: GatewayGrpcServerOptions) {
    super({
      url: gatewayOptions.url,
      package: gatewayOptions.package,
      protoPath: gatewayOptions.protoPath,
      loader: GRPC_LOADER_OPTIONS,
    } as GrpcOptions['options']);
    const statusMap: ServingStatusMap = { '': 'NOT_SERVING' };
    this.health = new HealthImplementation(statusMap);
  }

  get port(): number {
    return this.boundPort;
  }

  override async createClient(): Promise<Server> {
    // Metrics first, so refused calls are counted with their code; authentication before any handler.
    const auth = serviceAuthInterceptor(this.gatewayOptions.callers, this.gatewayOptions.onRefused);
    const interceptors = this.gatewayOptions.metrics ? [this.gatewayOptions.metrics.interceptor, auth] : [auth];
    const server = new Server({ ...GRPC_CHANNEL_OPTIONS, interceptors });
    this.health.addToServer(server);
    this.boundPort = await new Promise<number>((resolve, reject) =>
      server.bindAsync(this.gatewayOptions.url, ServerCredentials.createInsecure(), (error, port) =>
        error ? reject(error) : resolve(port),
      ),
    );
    this.server = server;
    return server;
  }

  setServing(serving: boolean): void {
    this.health.setStatus('', serving ? 'SERVING' : 'NOT_SERVING');
  }

  /** Stops taking new calls, lets in-flight calls finish up to `graceMs`, then cuts the rest. */
  async drain(graceMs: number): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.setServing(false);
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        server.forceShutdown();
        resolve();
      }, graceMs);
      server.tryShutdown(() => {
        clearTimeout(timer);
        resolve();
      });
    });
    this.server = undefined;
  }

  override async close(): Promise<void> {
    await this.drain(5_000);
  }
}
