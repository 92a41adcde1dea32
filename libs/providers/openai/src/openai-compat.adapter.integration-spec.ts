import type { AdapterRequest, AdapterStreamEvent, ProviderSettings, ProviderTarget } from '@ai-gateway/proto';
import { UpstreamClient } from '@ai-gateway/provider-http';
import { startFakeOpenAi, type FakeOpenAi } from '@ai-gateway/testing';
import { OpenAiAdapter } from './openai.adapter';

// The OpenAI adapter's compatibility switches over real HTTP against the fake OpenAI API.

const KEY = 'sk-compat-0123456789abcdef0123456789';
const NO_SETTINGS: ProviderSettings = { headers: {}, project: '', location: '', region: '', apiVersion: '', deployments: {} };

describe('OpenAiAdapter with an OpenAI-compatible server\'s settings', () => {
  let fake: FakeOpenAi;
  let adapter: OpenAiAdapter;
  const call = () => ({ signal: new AbortController().signal });
  const request = (body: object, settings: Partial<ProviderSettings>, options: { key?: string; includeUsage?: boolean } = {}): AdapterRequest =>
    ({
      requestId: 'r',
      target: { providerId: 'local', kind: 'openai', baseUrl: fake.baseUrl, apiKey: options.key ?? KEY, model: 'llama', maxOutputTokens: 0, settings: { ...NO_SETTINGS, ...settings } } as ProviderTarget,
      body: Buffer.from(JSON.stringify(body)),
      includeUsage: options.includeUsage ?? false,
      headers: [],
      timeoutMs: 10_000,
      clientModel: 'llama',
    }) as AdapterRequest;
  const stream = async (req: AdapterRequest): Promise<AdapterStreamEvent[]> => {
    const events: AdapterStreamEvent[] = [];
    await adapter.chatStream(req, { push: (event) => events.push(event), whenWritable: () => undefined }, call());
    return events;
  };
  const lastSent = () => fake.requests[fake.requests.length - 1];

  beforeAll(async () => {
    fake = await startFakeOpenAi({ models: ['llama'] });
    adapter = new OpenAiAdapter(new UpstreamClient(), () => undefined);
  });
  afterAll(async () => {
    await adapter.close();
    await fake.close();
  });

  it('sends the provider\'s extra headers, never in place of the key', async () => {
    await adapter.chat(request({ model: 'llama', messages: [{ role: 'user', content: 'hi' }] }, { headers: { 'X-Team': 'ml', Authorization: 'Bearer other' } }), call());
    expect(lastSent().headers['x-team']).toBe('ml');
    expect(lastSent().headers.authorization).toBe(`Bearer ${KEY}`);
  });

  it('sends no Authorization for a provider without a key (a local vLLM or Ollama)', async () => {
    await adapter.chat(request({ model: 'llama', messages: [{ role: 'user', content: 'hi' }] }, {}, { key: '' }), call());
    expect(lastSent().headers.authorization).toBeUndefined();
  });

  it('removes stream_options and parallel_tool_calls for a server that refuses them, and counts no usage it did not get', async () => {
    const events = await stream(
      request({ model: 'llama', stream: true, parallel_tool_calls: false, messages: [{ role: 'user', content: 'hi' }] }, { omitStreamOptions: true, omitParallelToolCalls: true }),
    );
    expect(lastSent().body).not.toHaveProperty('stream_options');
    expect(lastSent().body).not.toHaveProperty('parallel_tool_calls');
    expect(events.some((event) => event.usage)).toBe(false);
    expect(events.filter((event) => event.chunk).length).toBeGreaterThan(0);
  });

  it('asks for stream usage on the client\'s behalf only when the server can give it', async () => {
    await stream(request({ model: 'llama', stream: true, messages: [{ role: 'user', content: 'hi' }] }, { noStreamUsage: true }));
    expect(lastSent().body).not.toHaveProperty('stream_options');
    const events = await stream(request({ model: 'llama', stream: true, messages: [{ role: 'user', content: 'hi' }] }, {}));
    expect(lastSent().body).toMatchObject({ stream_options: { include_usage: true } });
    expect(events.some((event) => event.usage)).toBe(true);
    const chunks = events.flatMap((event) => (event.chunk ? [JSON.parse(Buffer.from(event.chunk).toString('utf8')) as { usage?: unknown }] : []));
    expect(chunks.some((chunk) => chunk.usage)).toBe(false);
  });
});
