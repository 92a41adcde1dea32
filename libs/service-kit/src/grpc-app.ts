import type { DynamicModule, INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { PinoNestLogger, type Logger } from '@ai-gateway/logging';
import { GATEWAY_V1_PACKAGE_NAME } from '@ai-gateway/proto';
import type { Registry } from 'prom-client';
import type { DirectGrpcMethod } from './direct-grpc-method';
import type { DrainLimits, DrainOutcome } from './drain';
import { GrpcServerMetrics } from './grpc-server.metrics';
import { GatewayGrpcServer } from './grpc-server.strategy';
import type { RefusedCall } from './service-auth.interceptor';
import type { ServiceCallers } from './service-credential';

export interface GrpcAppServer {
  name: string;
  host: string;
  port: number;
  protoPath: string | string[];
  /** Methods served by direct grpc-js handlers (GatewayGrpcServerOptions.directMethods). */
  directMethods?: readonly DirectGrpcMethod[];
}

export interface GrpcApp {
  app: INestApplication;
  ports: Record<string, number>;
  /** Health SERVING on every server. */
  markServing(): void;
  /** A named health status on every server (GatewayGrpcServer.setNamedHealth). */
  setNamedHealth(service: string, serving: boolean): void;
  /** Drains every server (GatewayGrpcServer.drain, together), then closes the Nest app. */
  close(limits?: DrainLimits, onPhase?: (phase: 'grace' | 'refusing') => void): Promise<DrainOutcome>;
}

export interface GrpcAppAuth {
  callers: ServiceCallers;
  onRefused?: (refused: RefusedCall) => void;
}

/**
 * A NestJS app whose only transports are gateway gRPC servers (one per port), measured into
 * `registry`, every call authenticated against `auth.callers`.
 */
export async function startGrpcApp(module: DynamicModule, servers: GrpcAppServer[], logger: Logger, auth: GrpcAppAuth, registry?: Registry): Promise<GrpcApp> {
  const metrics = registry ? new GrpcServerMetrics(registry) : undefined;
  // An HTTP adapter Nest requires to host several microservices; it never listens.
  const app = await NestFactory.create(module, new FastifyAdapter(), { logger: new PinoNestLogger(logger), abortOnError: false });
  const strategies = servers.map((server) => ({
    name: server.name,
    strategy: new GatewayGrpcServer({ url: `${server.host}:${server.port}`, package: GATEWAY_V1_PACKAGE_NAME, protoPath: server.protoPath, directMethods: server.directMethods, metrics, callers: auth.callers, onRefused: auth.onRefused }),
  }));
  for (const { strategy } of strategies) app.connectMicroservice({ strategy }, { inheritAppConfig: true });
  await app.startAllMicroservices();
  await app.init();
  return {
    app,
    ports: Object.fromEntries(strategies.map(({ name, strategy }) => [name, strategy.port])),
    markServing: () => strategies.forEach(({ strategy }) => strategy.setServing(true)),
    setNamedHealth: (service, serving) => strategies.forEach(({ strategy }) => strategy.setNamedHealth(service, serving)),
    close: async (limits, onPhase) => {
      // One server reports the phases: they all share the limits and start together.
      const outcomes = await Promise.all(strategies.map(({ strategy }, i) => strategy.drain(limits, i === 0 ? onPhase : undefined)));
      await app.close();
      return outcomes.includes('cut') ? 'cut' : 'drained';
    },
  };
}
