import { Metadata } from '@grpc/grpc-js';
import { context, propagation, trace, SpanKind, SpanStatusCode, type Attributes, type Context, type Span } from '@opentelemetry/api';

export const tracer = trace.getTracer('ai-gateway');
export { SpanKind, SpanStatusCode, context };
export type { Context, Span };

type HeaderBag = Record<string, string | string[] | undefined>;

/** The caller's trace context from HTTP headers (traceparent, tracestate). */
export function contextFromHeaders(headers: HeaderBag): Context {
  return propagation.extract(context.active(), headers, {
    get: (carrier, key) => carrier[key],
    keys: (carrier) => Object.keys(carrier),
  });
}

/** The caller's trace context from gRPC metadata. */
export function contextFromMetadata(metadata: Metadata | undefined): Context {
  if (!metadata) return context.active();
  return propagation.extract(context.active(), metadata, {
    get: (carrier, key) => {
      const values = carrier.get(key).filter((v): v is string => typeof v === 'string');
      return values.length ? values : undefined;
    },
    keys: (carrier) => Object.keys(carrier.getMap()),
  });
}

/** gRPC metadata carrying the trace context of `ctx` (plus whatever `metadata` already holds). */
export function metadataWithContext(ctx: Context, metadata: Metadata = new Metadata()): Metadata {
  propagation.inject(ctx, metadata, { set: (carrier, key, value) => carrier.set(key, value) });
  return metadata;
}

/** A plain header map carrying the trace context of `ctx` (for NATS message headers). */
export function headersWithContext(ctx: Context): Record<string, string> {
  const out: Record<string, string> = {};
  propagation.inject(ctx, out);
  return out;
}

/** Starts a span as a child of `parent`; returns it and the context that holds it. */
export function startSpan(name: string, parent: Context, kind: SpanKind, attributes: Attributes = {}): { span: Span; ctx: Context } {
  const span = tracer.startSpan(name, { kind, attributes }, parent);
  return { span, ctx: trace.setSpan(parent, span) };
}

/** Ends a span with an error status named by a short type (never a message with content). */
export function endSpan(span: Span, errorType?: string): void {
  if (errorType) {
    span.setAttribute('error.type', errorType);
    span.setStatus({ code: SpanStatusCode.ERROR });
  }
  span.end();
}
