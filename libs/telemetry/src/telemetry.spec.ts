import { context, propagation, trace } from '@opentelemetry/api';
import { startTelemetry, tracesRequested } from './telemetry';

describe('tracesRequested', () => {
  it.each([
    [{}, false],
    [{ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' }, true],
    [{ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://collector:4318/v1/traces' }, true],
    [{ OTEL_TRACES_EXPORTER: 'otlp' }, true],
    [{ OTEL_TRACES_EXPORTER: 'none', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' }, false],
    [{ OTEL_SDK_DISABLED: 'TRUE', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' }, false],
  ])('%j → %s', (env, expected) => {
    expect(tracesRequested(env)).toBe(expected);
  });
});

describe('startTelemetry', () => {
  afterEach(() => {
    trace.disable();
    propagation.disable();
    context.disable();
  });

  it('without an exporter: W3C propagation only, spans do not record', async () => {
    const telemetry = startTelemetry('svc', {});
    expect(propagation.fields()).toEqual(expect.arrayContaining(['traceparent', 'tracestate']));
    const span = trace.getTracer('test').startSpan('op');
    expect(span.isRecording()).toBe(false);
    span.end();
    await telemetry.shutdown();
  });

  it('with an OTLP endpoint: the OpenTelemetry Node SDK starts, records spans and shuts down', async () => {
    // Nothing listens there; the span is never ended, so nothing is exported.
    const telemetry = startTelemetry('svc', { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:9' });
    const span = trace.getTracer('test').startSpan('op');
    expect(span.isRecording()).toBe(true);
    expect(span.spanContext().traceId).toMatch(/^[0-9a-f]{32}$/);
    await expect(telemetry.shutdown()).resolves.toBeUndefined();
  });
});
