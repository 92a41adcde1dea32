import type { DynamicModule } from '@nestjs/common';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { startGrpcApp } from './grpc-app';
import { createServiceRegistry, startMetricsServer } from './metrics.server';
import type { RunningService } from './running-service';
import type { RefusedCall } from './service-auth.interceptor';
import type { ServiceCallers } from './service-credential';

/** At most one log line per refusal kind and method in this window: a flood of refused calls cannot flood the log. */
const REFUSAL_LOG_INTERVAL_MS = 10_000;

export interface GrpcServiceSpec {
  name: string;
  module: DynamicModule;
  /** One gRPC server per entry (key-vault has two ports); ports 0 pick free ones. */
  servers: Array<{ name: string; port: number; protoPath: string }>;
  host: string;
  metricsPort: number;
  logger: Logger;
  /** SERVICE_CALLERS: whose credentials every call must carry (readServiceCallers). */
  callers: ServiceCallers;
  /** Also told of every refused call (after the log line), e.g. to audit it. */
  onRefused?: (refused: RefusedCall) => void;
  /** Defaults to a fresh registry with the process metrics. */
  registry?: Registry;
  /** Releases what the service holds (watches, connections), after its servers drained. */
  release?: () => Promise<void> | void;
}

/** Serves a gRPC service: its servers (health SERVING once up, every other call authenticated), its /metrics, and a graceful close. */
export async function serveGrpcService(spec: GrpcServiceSpec): Promise<RunningService> {
  const registry = spec.registry ?? createServiceRegistry(spec.name);
  const lastLogged = new Map<string, number>();
  const onRefused = (refused: RefusedCall): void => {
    const kind = `${refused.reason} ${refused.path}`;
    const now = Date.now();
    if ((lastLogged.get(kind) ?? 0) + REFUSAL_LOG_INTERVAL_MS <= now) {
      if (lastLogged.size > 1_000) lastLogged.clear();
      lastLogged.set(kind, now);
      spec.logger.warn({ method: refused.path, reason: refused.reason, caller: refused.identity }, 'internal call refused');
    }
    spec.onRefused?.(refused);
  };
  const grpc = await startGrpcApp(
    spec.module,
    spec.servers.map((server) => ({ ...server, host: spec.host })),
    spec.logger,
    { callers: spec.callers, onRefused },
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
