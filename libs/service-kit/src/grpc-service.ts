import type { DynamicModule } from '@nestjs/common';
import type { Logger } from 'pino';
import type { DirectGrpcMethod } from './direct-grpc-method';
import type { Registry } from 'prom-client';
import { IMMEDIATE_DRAIN, type DrainLimits } from './drain';
import { startGrpcApp } from './grpc-app';
import { createServiceRegistry, startMetricsServer } from './metrics.server';
import type { RunningService } from './running-service';
import type { RefusedCall } from './service-auth.interceptor';
import type { ServiceCallers } from './service-credential';

/**
 * At most one report (log line, onRefused) per method and reason in this window, carrying how
 * many were suppressed since the previous one: a flood of refused calls can flood neither the log
 * nor the audit stream. Every refusal is still counted in grpc_server_handled_total.
 */
const REFUSAL_REPORT_INTERVAL_MS = 10_000;

export interface GrpcServiceSpec {
  name: string;
  module: DynamicModule;
  /** One gRPC server per entry (key-vault has two ports); ports 0 pick free ones. */
  servers: Array<{ name: string; port: number; protoPath: string; directMethods?: readonly DirectGrpcMethod[] }>;
  host: string;
  metricsPort: number;
  logger: Logger;
  /** SERVICE_CALLERS: whose credentials every call must carry (readServiceCallers). */
  callers: ServiceCallers;
  /** Also told of refused calls (as often as they are logged, with the count suppressed since), e.g. to audit them. */
  onRefused?: (refused: RefusedCall & { suppressed: number }) => void;
  /** Defaults to a fresh registry with the process metrics. */
  registry?: Registry;
  /** DRAIN_GRACE_MS and DRAIN_TIMEOUT_MS (drainLimits(config)): the drain on SIGTERM. */
  drain: DrainLimits;
  /**
   * Called when the drain starts refusing new calls: ends what is not a request in flight (watch
   * streams, whose callers reconnect to another replica), which would otherwise hold the drain
   * until DRAIN_TIMEOUT_MS and be cut.
   */
  onRefusing?: () => void;
  /** Releases what the service holds (watches, connections), after its servers drained. */
  release?: () => Promise<void> | void;
  /** Named health statuses the service keeps up to date (called once serving, with the setter). */
  namedHealth?: (set: (service: string, serving: boolean) => void) => void;
}

/** Serves a gRPC service: its servers (health SERVING once up, every other call authenticated), its /metrics, and a graceful close. */
export async function serveGrpcService(spec: GrpcServiceSpec): Promise<RunningService> {
  const registry = spec.registry ?? createServiceRegistry(spec.name);
  // Keys are real method paths (unknown paths are UNIMPLEMENTED before authentication) times three reasons: bounded.
  const reported = new Map<string, { at: number; suppressed: number }>();
  const onRefused = (refused: RefusedCall): void => {
    const kind = `${refused.reason} ${refused.path}`;
    const now = Date.now();
    const last = reported.get(kind);
    if (last && now - last.at < REFUSAL_REPORT_INTERVAL_MS) {
      last.suppressed++;
      return;
    }
    const suppressed = last?.suppressed ?? 0;
    reported.set(kind, { at: now, suppressed: 0 });
    spec.logger.warn({ method: refused.path, reason: refused.reason, caller: refused.identity, suppressed }, 'internal call refused');
    spec.onRefused?.({ ...refused, suppressed });
  };
  const grpc = await startGrpcApp(
    spec.module,
    spec.servers.map((server) => ({ ...server, host: spec.host })),
    spec.logger,
    { callers: spec.callers, onRefused },
    registry,
  );
  grpc.markServing();
  spec.namedHealth?.((service, serving) => grpc.setNamedHealth(service, serving));
  const metrics = await startMetricsServer(registry, spec.metricsPort, spec.host);
  const stop = async (limits: DrainLimits): Promise<void> => {
    const outcome = await grpc.close(limits, (phase) => {
      spec.logger.info(
        { phase, graceMs: limits.graceMs, timeoutMs: limits.timeoutMs },
        phase === 'grace' ? 'draining: health NOT_SERVING, calls still served' : 'draining: new calls refused, waiting for in-flight calls',
      );
      if (phase === 'refusing') spec.onRefusing?.();
    });
    if (outcome === 'cut') spec.logger.warn({ timeoutMs: limits.timeoutMs }, 'drain timeout passed: in-flight calls cut');
    await spec.release?.();
    await metrics.close();
    spec.logger.flush();
  };
  // Whichever is called first runs; later calls of either get its promise.
  let stopped: Promise<void> | undefined;
  return {
    name: spec.name,
    ports: { ...grpc.ports, metrics: metrics.port },
    drainLimits: spec.drain,
    close: () => (stopped ??= stop(IMMEDIATE_DRAIN)),
    drain: () => (stopped ??= stop(spec.drain)),
  };
}
