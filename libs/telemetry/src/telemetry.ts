import { propagation, type TextMapPropagator } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import type * as OtelNodeSdk from '@opentelemetry/sdk-node';

export interface Telemetry {
  shutdown(): Promise<void>;
}

type Environment = Readonly<Record<string, string | undefined>>;

/** Whether the standard OTEL_* variables ask for traces to be exported. */
export function tracesRequested(env: Environment): boolean {
  if ((env.OTEL_SDK_DISABLED ?? '').toLowerCase() === 'true') return false;
  if ((env.OTEL_TRACES_EXPORTER ?? '').toLowerCase() === 'none') return false;
  return Boolean(env.OTEL_EXPORTER_OTLP_ENDPOINT || env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT || env.OTEL_TRACES_EXPORTER);
}

/**
 * Traces for one service, off unless an exporter is configured through the standard
 * OTEL_* variables (read by the SDK itself). W3C trace context is always propagated, so a
 * client's traceparent crosses every hop even when this process records nothing.
 */
export function startTelemetry(serviceName: string, env: Environment = process.env): Telemetry {
  const propagator: TextMapPropagator = new W3CTraceContextPropagator();
  propagation.setGlobalPropagator(propagator);
  if (!tracesRequested(env)) return { shutdown: async () => undefined };
  // Loaded only when traces are exported: the SDK and every exporter it bundles add about 40 MB
  // of RSS to each service, which a process that records nothing should not carry.
  const { NodeSDK } = require('@opentelemetry/sdk-node') as typeof OtelNodeSdk;
  const sdk = new NodeSDK({
    serviceName: env.OTEL_SERVICE_NAME ?? serviceName,
    textMapPropagator: propagator,
    instrumentations: [],
  });
  sdk.start();
  return { shutdown: () => sdk.shutdown() };
}
