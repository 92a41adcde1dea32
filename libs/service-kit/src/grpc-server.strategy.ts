import { Server, ServerCredentials } from '@grpc/grpc-js';
import { ServerGrpc, type GrpcOptions } from '@nestjs/microservices';
import { registerDirectMethods, type DirectGrpcMethod } from './direct-grpc-method';
import { drain, IMMEDIATE_DRAIN, type DrainLimits, type DrainOutcome } from './drain';
import { GrpcHealth } from './grpc-health';
import { allowInternalStreamResets } from './http2-reset-limits';
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
  /** Methods served by direct grpc-js handlers instead of Nest's (the hot path: direct-grpc-method.ts). */
  directMethods?: readonly DirectGrpcMethod[];
}

/**
 * NestJS gRPC transport that also serves grpc.health.v1 (the empty service name
 * registered, as Kubernetes' native gRPC probe asks for it), reports the port it bound,
 * authenticates every other call (serviceAuthInterceptor), and drains (drain.ts) on close: health
 * NOT_SERVING while calls are still served for the grace period, then no new calls (listeners
 * closed, GOAWAY on every connection: callers reconnect elsewhere) while in-flight calls and
 * streams finish up to the timeout, then the rest is cut.
 */
export class GatewayGrpcServer extends ServerGrpc {
  private boundPort = 0;
  private readonly health = new GrpcHealth();
  private server: Server | undefined;

  constructor(private readonly gatewayOptions: GatewayGrpcServerOptions) {
    super({
      url: gatewayOptions.url,
      package: gatewayOptions.package,
      protoPath: gatewayOptions.protoPath,
      loader: GRPC_LOADER_OPTIONS,
    } as GrpcOptions['options']);
  }

  get port(): number {
    return this.boundPort;
  }

  override async createClient(): Promise<Server> {
    // Metrics first, so refused calls are counted with their code; authentication before any handler.
    const auth = serviceAuthInterceptor(this.gatewayOptions.callers, this.gatewayOptions.onRefused);
    const interceptors = this.gatewayOptions.metrics ? [this.gatewayOptions.metrics.interceptor, auth] : [auth];
    const server = new Server({ ...GRPC_CHANNEL_OPTIONS, interceptors });
    allowInternalStreamResets(server);
    this.health.addToServer(server);
    this.boundPort = await new Promise<number>((resolve, reject) =>
      server.bindAsync(this.gatewayOptions.url, ServerCredentials.createInsecure(), (error, port) =>
        error ? reject(error) : resolve(port),
      ),
    );
    this.server = server;
    return server;
  }

  /** Nest binds its controllers' methods; the direct ones then take their paths over. */
  override async bindEvents(): Promise<void> {
    await super.bindEvents();
    if (this.server && this.gatewayOptions.directMethods) registerDirectMethods(this.server, this.gatewayOptions.directMethods);
  }

  setServing(serving: boolean): void {
    this.health.setStatus('', serving ? 'SERVING' : 'NOT_SERVING');
  }

  /** A named health status (e.g. a dependency's state, for a caller's /readyz detail); '' stays the server's own. */
  setNamedHealth(service: string, serving: boolean): void {
    if (service) this.health.setStatus(service, serving ? 'SERVING' : 'NOT_SERVING');
  }

  /** Drains as drain.ts describes; the default (close()) has no grace and gives in-flight calls 5 s. */
  async drain(limits: DrainLimits = IMMEDIATE_DRAIN, onPhase?: (phase: 'grace' | 'refusing') => void): Promise<DrainOutcome> {
    const server = this.server;
    if (!server) return 'drained';
    const outcome = await drain(
      limits,
      {
        unready: () => this.setServing(false),
        // grpc-js: listeners closed, every session closed gracefully (GOAWAY); open calls run on.
        refuseNew: () => new Promise<void>((resolve) => server.tryShutdown(() => resolve())),
        cut: () => server.forceShutdown(),
      },
      onPhase,
    );
    this.server = undefined;
    return outcome;
  }

  override async close(): Promise<void> {
    await this.drain();
  }
}
