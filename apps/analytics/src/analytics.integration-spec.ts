import { jetstream, type JetStreamClient } from '@nats-io/jetstream';
import { firstValueFrom } from 'rxjs';
import { connectNats, USAGE_SUBJECT, type NatsConnection } from '@ai-gateway/nats';
import { ANALYTICS_SERVICE_NAME, GATEWAY_V1_PACKAGE_NAME, PROTO_FILES, UsageEvent, type AnalyticsServiceClient } from '@ai-gateway/proto';
import { createGrpcClient } from '@ai-gateway/service-kit';
import { expectEventually, startNatsServer, testServiceCredentials, type NatsServerHandle } from '@ai-gateway/testing';
import { createApp, type AnalyticsService } from './app';
import { attempt, usageEvent } from './usage-event.fixture';

const SERVICE = testServiceCredentials();
const ENV = { GRPC_PORT: '0', METRICS_PORT: '0', BIND_HOST: '127.0.0.1', LOG_LEVEL: 'silent', SERVICE_CALLERS: SERVICE.callers };

/** Sum of the samples of one series name whose labels include every given `name="value"`. */
function sample(text: string, series: string, labels: Record<string, string> = {}): number {
  let total = 0;
  for (const line of text.split('\n')) {
    const match = /^([a-z_:]+)(\{.*\})? (\S+)$/.exec(line);
    if (!match || match[1] !== series) continue;
    if (Object.entries(labels).every(([k, v]) => (match[2] ?? '').includes(`${k}="${v}"`))) total += Number(match[3]);
  }
  return total;
}

describe('analytics with a real nats-server', () => {
  let nats: NatsServerHandle;
  let app: AnalyticsService;
  let nc: NatsConnection;
  let js: JetStreamClient;
  let sequence = 0;

  const metrics = async (): Promise<string> => (await fetch(`http://127.0.0.1:${app.ports.metrics}/metrics`)).text();

  /** Publishes with msgID = request id, retrying until JetStream acknowledges it. */
  const publish = async (event: UsageEvent, msgID = event.requestId): Promise<boolean> => {
    for (;;) {
      try {
        const ack = await js.publish(USAGE_SUBJECT, UsageEvent.encode(event).finish(), { msgID, timeout: 1_000 });
        return ack.duplicate;
      } catch {
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
  };
  const nextEvent = (overrides: Partial<UsageEvent> = {}): UsageEvent =>
    usageEvent({ requestId: `req-${++sequence}`, startedAtUnixMs: Date.now() - 500, ...overrides });

  const withAnalyticsClient = async <T>(use: (client: AnalyticsServiceClient) => Promise<T>): Promise<T> => {
    const proxy = createGrpcClient({ url: `127.0.0.1:${app.ports.grpc}`, package: GATEWAY_V1_PACKAGE_NAME, protoPath: PROTO_FILES.analytics, credential: SERVICE.credentials.ingress });
    try {
      return await use(proxy.getService<AnalyticsServiceClient>(ANALYTICS_SERVICE_NAME));
    } finally {
      proxy.close();
    }
  };
  const usageView = () => withAnalyticsClient((client) => firstValueFrom(client.getUsage({ windowSeconds: 3600 })));
  const usageRow = (view: { rows: Array<{ apiKeyId: string; requests: number }> }, apiKeyId: string) => view.rows.find((row) => row.apiKeyId === apiKeyId);

  beforeAll(async () => {
    nats = await startNatsServer();
    app = await createApp({ ...ENV, NATS_URL: nats.url });
    nc = await connectNats(nats.url, 'analytics-test');
    js = jetstream(nc, { timeout: 2_000 });
  });

  afterAll(async () => {
    await app?.close();
    await nc?.close();
    await nats?.dispose();
  });

  it('counts published events on /metrics with their labels and token sums', async () => {
    for (let i = 0; i < 6; i++) await publish(nextEvent());
    for (let i = 0; i < 4; i++) {
      await publish(
        nextEvent({
          provider: 'anthropic',
          providerKind: 'anthropic',
          requestedModel: 'claude-3-5-sonnet',
          responseModel: 'claude-3-5-sonnet-20241022',
          usage: { promptTokens: 100, completionTokens: 20, totalTokens: 120, cachedPromptTokens: 0, reasoningTokens: 0 },
          attempts: [attempt({ provider: 'anthropic', providerKind: 'anthropic', model: 'claude-3-5-sonnet-20241022' })],
        }),
      );
    }
    await expectEventually(() => expect(app.consumer.processedCount()).toBe(10));
    const text = await metrics();
    expect(sample(text, 'gen_ai_gateway_requests_total', { gen_ai_provider_name: 'openai', gen_ai_request_model: 'gpt-4o', outcome: 'success' })).toBe(6);
    expect(sample(text, 'gen_ai_gateway_requests_total', { gen_ai_provider_name: 'anthropic', gen_ai_request_model: 'claude-3-5-sonnet' })).toBe(4);
    expect(sample(text, 'gen_ai_client_token_usage_sum', { gen_ai_provider_name: 'openai', gen_ai_token_type: 'input' })).toBe(60);
    expect(sample(text, 'gen_ai_client_token_usage_sum', { gen_ai_provider_name: 'anthropic', gen_ai_token_type: 'input' })).toBe(400);
    expect(sample(text, 'gen_ai_client_token_usage_sum', { gen_ai_provider_name: 'anthropic', gen_ai_token_type: 'output' })).toBe(80);
    expect(sample(text, 'gen_ai_client_operation_duration_seconds_count', { gen_ai_response_model: 'claude-3-5-sonnet-20241022', error_type: '' })).toBe(4);
    expect(sample(text, 'gen_ai_gateway_cost_usd_total')).toBeCloseTo(0.01, 9);
  });

  it('counts a request once when it is published twice or delivered again, and skips an undecodable message', async () => {
    const event = nextEvent();
    expect(await publish(event)).toBe(false);
    expect(await publish(event)).toBe(true);
    // Past JetStream's duplicate window the same request id arrives as a new message.
    await publish(event, `${event.requestId}-again`);
    await js.publish(USAGE_SUBJECT, new Uint8Array([0xff, 0xff, 0xff]), { msgID: 'garbage-1' });
    await expectEventually(async () => {
      const text = await metrics();
      expect(sample(text, 'gen_ai_gateway_usage_events_duplicate_total')).toBe(1);
      expect(sample(text, 'gen_ai_gateway_usage_events_invalid_total')).toBe(1);
    });
    expect(app.consumer.processedCount()).toBe(11);
    expect(sample(await metrics(), 'gen_ai_gateway_requests_total')).toBe(11);
  });

  it('resumes from the durable consumer after a restart: events published while it was down are counted once', async () => {
    await app.close();
    for (let i = 0; i < 5; i++) await publish(nextEvent({ requestedModel: 'gpt-4o-mini' }));
    app = await createApp({ ...ENV, NATS_URL: nats.url });
    await expectEventually(() => expect(app.consumer.processedCount()).toBe(5));
    await new Promise((resolve) => setTimeout(resolve, 300));
    const text = await metrics();
    expect(app.consumer.processedCount()).toBe(5);
    expect(sample(text, 'gen_ai_gateway_requests_total', { gen_ai_request_model: 'gpt-4o-mini' })).toBe(5);
    expect(sample(text, 'gen_ai_gateway_requests_total')).toBe(5);
  });

  it('rebuilds provider health and usage by key from the stream after a restart, without counting anything twice', async () => {
    for (let i = 0; i < 3; i++) await publish(nextEvent({ apiKeyId: 'key-history', requestedModel: 'o3-mini', attempts: [attempt({ provider: 'history-provider' })] }));
    await expectEventually(async () => expect(usageRow(await usageView(), 'key-history')?.requests).toBe(3));
    await app.close();
    await publish(nextEvent({ apiKeyId: 'key-history', requestedModel: 'o3-mini', attempts: [attempt({ provider: 'history-provider' })] }));
    app = await createApp({ ...ENV, NATS_URL: nats.url });
    await expectEventually(async () => expect(usageRow(await usageView(), 'key-history')?.requests).toBe(4));
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(usageRow(await usageView(), 'key-history')?.requests).toBe(4);
    const health = await withAnalyticsClient((client) => firstValueFrom(client.getProviderHealth({})));
    expect(health.providers.find((p) => p.provider === 'history-provider')?.requests).toBe(4);
  });

  it('counts every event exactly once across a nats-server restart while publishing', async () => {
    const before = app.consumer.processedCount();
    const events = Array.from({ length: 40 }, () => nextEvent({ requestedModel: 'gpt-4.1' }));
    const publishing = (async () => {
      for (const event of events) {
        await publish(event);
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    })();
    await new Promise((resolve) => setTimeout(resolve, 150));
    await nats.stop();
    await new Promise((resolve) => setTimeout(resolve, 500));
    await nats.restart();
    await publishing;
    await expectEventually(() => expect(app.consumer.processedCount()).toBe(before + events.length), 45_000, 200);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(app.consumer.processedCount()).toBe(before + events.length);
    expect(sample(await metrics(), 'gen_ai_gateway_requests_total', { gen_ai_request_model: 'gpt-4.1' })).toBe(events.length);
  }, 60_000);

  it('serves provider health and usage over gRPC', async () => {
    for (let i = 1; i <= 6; i++) {
      await publish(
        nextEvent({
          provider: 'vllm',
          apiKeyId: 'key-health',
          requestedModel: 'llama-3.1-70b',
          outcome: 'error',
          httpStatus: 502,
          errorType: 'server_error',
          hasUsage: false,
          usage: undefined,
          costUsd: 0,
          attempts: [attempt({ provider: 'vllm', model: 'llama-3.1-70b', outcome: 'error', status: 500, latencyMs: i * 100 })],
        }),
      );
    }
    const proxy = createGrpcClient({ url: `127.0.0.1:${app.ports.grpc}`, package: GATEWAY_V1_PACKAGE_NAME, protoPath: PROTO_FILES.analytics, credential: SERVICE.credentials.ingress });
    try {
      const client = proxy.getService<AnalyticsServiceClient>(ANALYTICS_SERVICE_NAME);
      const health = await expectEventually(async () => {
        const response = await firstValueFrom(client.getProviderHealth({}));
        expect(response.providers.find((p) => p.provider === 'vllm')?.requests).toBe(6);
        return response;
      });
      const vllm = health.providers.find((p) => p.provider === 'vllm');
      expect(vllm).toMatchObject({ status: 'down', errorRate: 1, latencyMs: { p50: 300, p95: 600 } });
      const openai = health.providers.find((p) => p.provider === 'openai');
      expect(openai).toMatchObject({ status: 'healthy', errorRate: 0, latencyMs: { p50: 480, p95: 480 } });
      expect(health.models.find((m) => m.provider === 'vllm')?.model).toBe('llama-3.1-70b');
      const usage = await firstValueFrom(client.getUsage({ windowSeconds: 0 }));
      expect(usage.rows.find((r) => r.apiKeyId === 'key-health')).toMatchObject({ model: 'llama-3.1-70b', requests: 6, inputTokens: 0 });
      expect(usage.rows.find((r) => r.apiKeyId === 'key-1' && r.model === 'gpt-4.1')?.requests).toBe(40);
    } finally {
      proxy.close();
    }
  });
});
