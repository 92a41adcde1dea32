// A request's usage event is stored by JetStream before its answer completes (issue 13: a kill -9
// of the router once the client has its whole answer must not lose the event). For each answer the
// openai SDK receives — unary, streamed, a provider error, a stream cut after content — JetStream
// first refuses usage events (the stream listens on another subject: "no responders"); the answer
// must not complete before the stream takes them again, and once it has, its event is already on
// GATEWAY_USAGE, looked up at once, without waiting. In both adapter modes.
import { jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import { connect } from '@nats-io/transport-node';
import OpenAI from 'openai';
import { UsageEvent } from '@ai-gateway/proto';
import { ADAPTER_MODES, expectEventually, startFakeOpenAi, startGatewayStack, type FakeOpenAi, type GatewayStack } from '@ai-gateway/testing';

const PROVIDER_KEY = 'sk-proj-usageBeforeAnswer0123456789ab';
const USAGE_STREAM = 'GATEWAY_USAGE';
/** The usage stream's subjects: every event, and those of requests admitted against limits. */
const USAGE_SUBJECTS = ['gateway.usage.v1', 'gateway.usage.v1.reserved'];
const PAUSED_SUBJECT = 'gateway.usage.paused';
/** What a router logs when JetStream did not take a usage event (usage.publisher.ts). */
const REFUSED = 'usage events waiting for NATS';
const ASK = [{ role: 'user' as const, content: 'hello' }];

/** The stored usage events of `requestId`, read from the stream as it is now. */
async function storedEvents(jsm: JetStreamManager, requestId: string): Promise<UsageEvent[]> {
  const info = await jsm.streams.info(USAGE_STREAM);
  const found: UsageEvent[] = [];
  for (let seq = info.state.first_seq; seq <= info.state.last_seq && info.state.messages > 0; seq++) {
    const message = await jsm.streams.getMessage(USAGE_STREAM, { seq }).catch(() => null);
    if (!message) continue;
    const event = UsageEvent.decode(message.data);
    if (event.requestId === requestId) found.push(event);
  }
  return found;
}

async function listenOn(jsm: JetStreamManager, subjects: string[]): Promise<void> {
  const { config } = await jsm.streams.info(USAGE_STREAM);
  await jsm.streams.update(USAGE_STREAM, { ...config, subjects });
}

describe.each(ADAPTER_MODES)('%s adapters: the usage event is stored before the answer completes', (adapterMode) => {
  let upstream: FakeOpenAi;
  let stack: GatewayStack;
  let client: OpenAI;
  let nc: NatsConnection;
  let jsm: JetStreamManager;

  beforeAll(async () => {
    upstream = await startFakeOpenAi({ validKeys: [PROVIDER_KEY], replyWords: ['one', ' two', ' three', ' four'] });
    stack = await startGatewayStack({ openaiBaseUrl: upstream.baseUrl, adapterMode, logLevel: 'warn' });
    expect((await stack.admin('POST', '/admin/v1/provider-keys', { provider: 'openai', key: PROVIDER_KEY })).status).toBe(201);
    const created = await stack.admin('POST', '/admin/v1/api-keys', { name: `usage-before-answer-${adapterMode}` });
    client = new OpenAI({ apiKey: (created.body as { key: string }).key, baseURL: `${stack.ingressUrls[0]}/v1`, maxRetries: 0 });
    await expectEventually(async () => expect((await client.models.list()).data.map((m) => m.id)).toContain('gpt-4o'), 10_000);
    nc = await connect({ servers: stack.nats.url });
    jsm = await jetstreamManager(nc);
  });
  afterAll(async () => {
    await listenOn(jsm, USAGE_SUBJECTS).catch(() => undefined);
    await nc?.close();
    await stack?.close();
    await upstream?.close();
  });

  /**
   * Sends while JetStream refuses usage events, until a router was refused; then the stream takes
   * them again. The answer completing before that is the failure this suite exists for.
   */
  async function whileUsageRefused<T>(send: () => Promise<T>): Promise<T> {
    const refusals = (): number => stack.logText().split(REFUSED).length - 1;
    const before = refusals();
    await listenOn(jsm, [PAUSED_SUBJECT]);
    let resumed = false;
    let completedBeforeResume = false;
    const answer = send().finally(() => (completedBeforeResume = !resumed));
    await expectEventually(() => expect(refusals()).toBeGreaterThan(before), 10_000, 20);
    resumed = true;
    await listenOn(jsm, USAGE_SUBJECTS);
    const result = await answer;
    expect({ completedBeforeResume }).toEqual({ completedBeforeResume: false });
    return result;
  }

  it('a unary answer', async () => {
    const { data, response } = await whileUsageRefused(() => client.chat.completions.create({ model: 'gpt-4o', messages: ASK }).withResponse());
    expect(data.choices[0].message.content).toBe('one two three four');
    const events = await storedEvents(jsm, response.headers.get('x-gateway-request-id') as string);
    expect(events.map((e) => [e.outcome, e.httpStatus])).toEqual([['success', 200]]);
  });

  it('a streamed answer, read to its end', async () => {
    const { content, response } = await whileUsageRefused(async () => {
      const { data: stream, response } = await client.chat.completions.create({ model: 'gpt-4o', messages: ASK, stream: true }).withResponse();
      let content = '';
      for await (const chunk of stream) content += chunk.choices[0]?.delta.content ?? '';
      return { content, response };
    });
    expect(content).toBe('one two three four');
    const events = await storedEvents(jsm, response.headers.get('x-gateway-request-id') as string);
    expect(events.map((e) => [e.outcome, e.stream])).toEqual([['success', true]]);
  });

  it('an error answer (the provider refused the request)', async () => {
    upstream.enqueue({ kind: 'status', status: 400 });
    const error = await whileUsageRefused(() => client.chat.completions.create({ model: 'gpt-4o', messages: ASK }).catch((e: unknown) => e));
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    const events = await storedEvents(jsm, (error as InstanceType<typeof OpenAI.APIError>).headers?.get('x-gateway-request-id') as string);
    expect(events.map((e) => [e.outcome, e.httpStatus])).toEqual([['error', 400]]);
  });

  it('a stream cut after content (its in-band error is the end of the answer)', async () => {
    upstream.enqueue({ kind: 'cut_after_chunks', chunks: 2 });
    const { failure, response } = await whileUsageRefused(async () => {
      const { data: stream, response } = await client.chat.completions.create({ model: 'gpt-4o', messages: ASK, stream: true }).withResponse();
      const failure = await (async () => {
        for await (const chunk of stream) void chunk;
      })().catch((e: unknown) => e);
      return { failure, response };
    });
    expect(failure).toBeInstanceOf(OpenAI.APIError);
    const events = await storedEvents(jsm, response.headers.get('x-gateway-request-id') as string);
    expect(events.map((e) => [e.outcome, e.stream])).toEqual([['error', true]]);
  });
});
