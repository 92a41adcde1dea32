// One trace across ingress, router and adapter: the client's traceparent is continued through
// gRPC metadata (and NATS headers), spans carry gen_ai.* attributes, never content or keys.
import { propagation, trace } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import OpenAI from 'openai';
import { expectEventually, startFakeOpenAi, startGatewayStack, type FakeOpenAi, type GatewayStack } from '@ai-gateway/testing';

const PROVIDER_KEY = 'sk-proj-traceProviderKey0123456789abcdefgh';
const PROMPT = 'a prompt that must never appear in a span';
const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';

describe('traces across services', () => {
  const exporter = new InMemorySpanExporter();
  let upstream: FakeOpenAi;
  let stack: GatewayStack;
  let client: OpenAI;

  beforeAll(async () => {
    trace.setGlobalTracerProvider(new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] }));
    propagation.setGlobalPropagator(new W3CTraceContextPropagator());
    upstream = await startFakeOpenAi({ validKeys: [PROVIDER_KEY] });
    stack = await startGatewayStack({ openaiBaseUrl: upstream.baseUrl });
    const created = await stack.admin('POST', '/admin/v1/api-keys', { name: 'trace' });
    await stack.admin('POST', '/admin/v1/provider-keys', { provider: 'openai', key: PROVIDER_KEY });
    client = new OpenAI({
      apiKey: (created.body as { key: string }).key,
      baseURL: `${stack.ingressUrls[0]}/v1`,
      maxRetries: 0,
      defaultHeaders: { traceparent: `00-${TRACE_ID}-00f067aa0ba902b7-01` },
    });
  });

  afterAll(async () => {
    await stack?.close();
    await upstream?.close();
    trace.disable();
    propagation.disable();
  });

  beforeEach(() => exporter.reset());

  it.each([false, true])('continues the client trace through ingress, router and adapter (stream: %s)', async (stream) => {
    if (stream) {
      const chunks = await client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: PROMPT }], stream: true });
      for await (const _chunk of chunks) void _chunk;
    } else {
      await client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: PROMPT }] });
    }
    await expectEventually(() => expect(exporter.getFinishedSpans().length).toBeGreaterThanOrEqual(4));
    const spans = exporter.getFinishedSpans().filter((s) => s.spanContext().traceId === TRACE_ID);
    const names = spans.map((s) => s.name);
    expect(names).toEqual(expect.arrayContaining(['chat gpt-4o', 'route chat gpt-4o', 'attempt openai']));
    const ingress = spans.find((s) => s.name === 'chat gpt-4o' && s.attributes['http.route'] === '/v1/chat/completions');
    const route = spans.find((s) => s.name === 'route chat gpt-4o');
    const attempt = spans.find((s) => s.name === 'attempt openai');
    const adapter = spans.find((s) => s.name === 'chat gpt-4o' && s.attributes['server.address'] !== undefined);
    expect(ingress?.parentSpanContext?.spanId).toBe('00f067aa0ba902b7');
    expect(route?.parentSpanContext?.spanId).toBe(ingress?.spanContext().spanId);
    expect(attempt?.parentSpanContext?.spanId).toBe(route?.spanContext().spanId);
    expect(adapter?.parentSpanContext?.spanId).toBe(attempt?.spanContext().spanId);
    // The routing policy's choice (issue 18): nothing configured is priority; one provider serves gpt-4o here.
    expect(route?.attributes).toMatchObject({ 'gateway.routing.strategy': 'priority', 'gateway.routing.reason': 'priority: openai is the only candidate' });
    expect(adapter?.attributes).toMatchObject({
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': 'openai',
      'gen_ai.request.model': 'gpt-4o',
      'gen_ai.response.model': 'gpt-4o',
      'gen_ai.usage.output_tokens': 6,
    });
    const everything = JSON.stringify(spans.map((s) => ({ name: s.name, attributes: s.attributes, events: s.events })));
    expect(everything).not.toContain(PROMPT);
    expect(everything).not.toContain(PROVIDER_KEY.slice(0, 16));
  });
});
