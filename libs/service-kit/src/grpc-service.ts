import type { DynamicModule } from '@nestjs/common';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { startGrpcApp } from './grpc-app';
import { createServiceRegistry, startMetricsServer } from './metrics.server';
import type { RunningService } from './running-service';

export interface GrpcServiceSpec {
  name: string;
  module: DynamicModule;
  /** One gRPC server per entry (key-vault has two ports); ports 0 pick free ones. */
  servers: Array<{ name: string; port: number; protoPath: string }>;
  host: string;
  metricsPort: number;
  logger: Logger;
  /** Defaults to a fresh registry with the process metrics. */
  registry?: Registry;
  /** Releases what the service holds (watches, connections), after its servers drained. */
  release?: () => Promise<void> | void;
}

/** Serves a gRPC service: its servers (health SERVING once up), its /metrics, and a graceful close. */
export async function serveGrpcService(spec: GrpcServiceSpec): Promise<RunningService> {
  const registry = spec.registry ?? createServiceRegistry(spec.name);
  const grpc = await startGrpcApp(
    spec.module,
    spec.servers.map((server) => ({ ...server, host: spec.host })),
    spec.logger,
    registry,
  );
  grpc.markServing();
  const metrics = await startMetricsServer(registry, spec.metricsPort, spec.host);
  return {
    name: spec.name,
    ports: { ...grpc.ports, metrics: metrics.port },
    close: async () => {
      await grpc.close();
      await spec.release?.();
      await metrics.close();
      spec.logger.flush();
    },
  };
}
