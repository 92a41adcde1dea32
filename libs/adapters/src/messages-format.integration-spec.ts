// Every registered kind answers Anthropic Messages requests: the OpenAI adapter through the
// MessagesFormatAdapter decorator, against a fake OpenAI API that follows the published format.
import { RequestFormat, type AdapterRequest, type AdapterStreamEvent } from '@ai-gateway/proto';
import type { AdapterStreamSink } from '@ai-gateway/provider-http';
import { decodeGrpcError, GrpcStatus } from '@ai-gateway/service-kit';
import { startFakeOpenAi, type FakeOpenAi } from '@ai-gateway/testing';
import { closeProviderAdapters, createProviderAdapters } from './provider-adapters';

const KEY = 'sk-proj-decoratorKey0123456789abcdef';
const WEATHER_TOOL = { name: 'get_weather', input_schema: { type: 'object', properties: { city: { type: 'string' } } } };

describe('Anthropic Messages through a chat-completions adapter (MessagesFormatAdapter)', () => {
  let fake: FakeOpenAi;
  const adapters = createProviderAdapters({ kinds: ['openai', 'anthropic'], logUnexpected: () => undefined });
  const openai = adapters.get('openai');
  if (!openai) throw new Error('no openai adapter');

  beforeAll(async () => {
    fake = await startFakeOpenAi({ validKeys: [KEY] });
  });
  afterAll(async () => {
    await fake.close();
    await closeProviderAdapters(adapters.values());
  });

  const request = (body: unknown, format = RequestFormat.REQUEST_FORMAT_ANTHROPIC_MESSAGES): AdapterRequest => ({
    requestId: 'req_decorator',
    target: { providerId: 'openai', kind: 'openai', baseUrl: fake.baseUrl, apiKey: KEY, model: 'gpt-4o', maxOutputTokens: 0 },
    body: Buffer.from(JSON.stringify(body)),
    includeUsage: false,
    headers: [],
    timeoutMs: 10_000,
    clientModel: 'gpt-4o',
    format,
  });
  const call = () => ({ signal: new AbortController().signal });
  const collect = (): { sink: AdapterStreamSink; events: AdapterStreamEvent[] } => {
    const events: AdapterStreamEvent[] = [];
    return { events, sink: { push: (event) => events.push(event), whenWritable: () => undefined } };
  };

  it('keeps the Anthropic adapter as it is and wraps the OpenAI one', () => {
    expect(openai.nativeFormats).toContain(RequestFormat.REQUEST_FORMAT_ANTHROPIC_MESSAGES);
    expect(adapters.get('anthropic')?.constructor.name).toBe('AnthropicAdapter');
    expect(openai.constructor.name).toBe('MessagesFormatAdapter');
  });

  it('answers a Message with a tool_use input object and the usage for the usage event', async () => {
    const response = await openai.chat(request({ model: 'gpt-4o', max_tokens: 64, tools: [WEATHER_TOOL], messages: [{ role: 'user', content: 'Weather?' }] }), call());
    const message = JSON.parse(Buffer.from(response.body).toString('utf8'));
    expect(message).toMatchObject({ type: 'message', role: 'assistant', stop_reason: 'tool_use', content: [{ type: 'tool_use', name: 'get_weather', input: { city: 'example city' } }] });
    expect(response.hasUsage).toBe(true);
    expect(Number(response.usage?.promptTokens)).toBe(message.usage.input_tokens + message.usage.cache_read_input_tokens);
    expect(fake.requests[fake.requests.length - 1].body).toMatchObject({ model: 'gpt-4o', max_completion_tokens: 64, tools: [{ type: 'function', function: { name: 'get_weather' } }] });
  });

  it('streams Messages events in order after the start, then the usage', async () => {
    const { sink, events } = collect();
    await openai.chatStream(request({ model: 'gpt-4o', max_tokens: 64, stream: true, messages: [{ role: 'user', content: 'Hi' }] }), sink, call());
    expect(events[0].start).toBeDefined();
    const types = events.filter((event) => event.chunk).map((event) => JSON.parse(Buffer.from(event.chunk as Uint8Array).toString('utf8')).type);
    expect(types[0]).toBe('message_start');
    expect(types.slice(-4)).toEqual(['content_block_delta', 'content_block_stop', 'message_delta', 'message_stop']);
    expect(events.some((event) => event.usage)).toBe(true);
    expect(fake.requests[fake.requests.length - 1].body).toMatchObject({ stream: true, stream_options: { include_usage: true } });
  });

  it('refuses what another kind cannot take (an Anthropic server tool) as the client request, without calling the provider', async () => {
    const before = fake.requests.length;
    const failure = await openai
      .chat(request({ model: 'gpt-4o', max_tokens: 64, tools: [{ type: 'web_search_20250305', name: 'web_search' }], messages: [{ role: 'user', content: 'x' }] }), call())
      .then(() => undefined, (error: unknown) => error);
    expect(decodeGrpcError(failure)).toMatchObject({ code: GrpcStatus.INVALID_ARGUMENT, detail: { param: 'tools[0].type' } });
    expect(fake.requests.length).toBe(before);
  });

  it('passes the provider failure on before any event', async () => {
    fake.enqueue({ kind: 'status', status: 503, body: { error: { message: 'down', type: 'server_error', param: null, code: null } } });
    const { sink, events } = collect();
    const failure = await openai.chatStream(request({ model: 'gpt-4o', max_tokens: 8, stream: true, messages: [{ role: 'user', content: 'x' }] }), sink, call()).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(decodeGrpcError(failure).detail?.upstreamHttpStatus).toBe(503);
    expect(events).toEqual([]);
  });

  it('leaves chat-completions requests untouched', async () => {
    const body = { model: 'gpt-4o', messages: [{ role: 'user', content: 'Hi' }] };
    const response = await openai.chat(request(body, RequestFormat.REQUEST_FORMAT_CHAT_COMPLETIONS_UNSPECIFIED), call());
    expect(JSON.parse(Buffer.from(response.body).toString('utf8')).object).toBe('chat.completion');
    expect(fake.requests[fake.requests.length - 1].body).toEqual(body);
  });
});
