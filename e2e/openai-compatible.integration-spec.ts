// A real third-party OpenAI-compatible server behind the gateway: LiteLLM's proxy from PyPI
// (pinned, tools/install-litellm.sh), answering with mock responses. It is representative of
// what teams put behind an `openai`-kind provider with its own base URL: a separate
// implementation (Python, FastAPI) of the OpenAI API with its own SSE framing, its own chunk
// shapes (its usage chunk has one empty choice, not `"choices": []`), its own key check and
// `GET /v1/models`, so the gateway is checked against more than its own fake.
import OpenAI from 'openai';
import { discoverOpenAiCompatibleModels } from '@ai-gateway/providers-openai';
import { startGatewayStack, startLiteLlmProxy, type GatewayStack, type LiteLlmProxy } from '@ai-gateway/testing';

const CHAT_MODEL = 'mock-compatible-chat';
const EMBEDDING_MODEL = 'mock-embedding';
/** Served by the server, declared nowhere in the gateway: reachable only pinned to the provider. */
const UNDECLARED_MODEL = 'team-finetune-2026-11';
const REPLY = 'Hello from LiteLLM.';
/** The proxy's first start imports a large Python tree. */
const STARTUP_MS = 180_000;

describe('an OpenAI-compatible server (LiteLLM proxy) behind the gateway', () => {
  let proxy: LiteLlmProxy;
  let stack: GatewayStack;
  let client: OpenAI;

  beforeAll(async () => {
    [proxy, stack] = await Promise.all([
      startLiteLlmProxy([
        { name: CHAT_MODEL, kind: 'chat', reply: REPLY },
        { name: EMBEDDING_MODEL, kind: 'embedding', reply: [0.25, 0.5, 0.75] },
        { name: UNDECLARED_MODEL, kind: 'chat', reply: 'From the fine-tune.' },
      ]),
      startGatewayStack(),
    ]);
    const put = await stack.admin('PUT', '/admin/v1/providers/local', { kind: 'openai', baseUrl: proxy.baseUrl, models: [CHAT_MODEL, EMBEDDING_MODEL] });
    expect(put.status).toBe(201);
    expect((await stack.admin('POST', '/admin/v1/provider-keys', { provider: 'local', key: proxy.masterKey, name: 'litellm' })).status).toBe(201);
    const created = await stack.admin('POST', '/admin/v1/api-keys', { name: 'compatible' });
    client = new OpenAI({ apiKey: (created.body as { key: string }).key, baseURL: `${stack.ingressUrls[0]}/v1`, maxRetries: 0 });
  }, STARTUP_MS);

  afterAll(async () => {
    await stack?.close();
    await proxy?.close();
  });

  it('discovers the models the server serves from its GET /models', async () => {
    const found = await discoverOpenAiCompatibleModels({ baseUrl: proxy.baseUrl, apiKey: proxy.masterKey });
    expect(found.models).toEqual(expect.arrayContaining([CHAT_MODEL, EMBEDDING_MODEL]));
    // Without the key LiteLLM refuses (with a 500, its own way): the error names the status, never a key.
    await expect(discoverOpenAiCompatibleModels({ baseUrl: proxy.baseUrl, apiKey: '' })).rejects.toThrow(/^the server answered HTTP \d+ to GET \/models$/);
  });

  it('answers a completion from the server, naming the provider', async () => {
    const { data, response } = await client.chat.completions.create({ model: CHAT_MODEL, messages: [{ role: 'user', content: 'Hi' }] }).withResponse();
    expect(data.choices[0].message.content).toBe(REPLY);
    expect(data.usage?.total_tokens).toBeGreaterThan(0);
    expect(response.headers.get('x-gateway-provider')).toBe('local');
    expect(response.headers.get('x-gateway-model')).toBe(CHAT_MODEL);
  });

  it('answers a model pinned to the provider', async () => {
    const completion = await client.chat.completions.create({ model: `local/${CHAT_MODEL}`, messages: [{ role: 'user', content: 'Hi' }] });
    expect(completion.choices[0].message.content).toBe(REPLY);
  });

  it('passes a model the gateway does not know to the provider it is pinned to, and only then', async () => {
    const unpinned = await client.chat.completions.create({ model: UNDECLARED_MODEL, messages: [{ role: 'user', content: 'Hi' }] }).catch((e: unknown) => e);
    expect((unpinned as InstanceType<typeof OpenAI.APIError>).status).toBe(404);
    const { data, response } = await client.chat.completions
      .create({ model: `local/${UNDECLARED_MODEL}`, messages: [{ role: 'user', content: 'Hi' }] })
      .withResponse();
    expect(data.choices[0].message.content).toBe('From the fine-tune.');
    expect(response.headers.get('x-gateway-model')).toBe(UNDECLARED_MODEL);
  });

  it('streams the server\'s chunks, with its usage chunk for a client that asked', async () => {
    const stream = await client.chat.completions.create({
      model: CHAT_MODEL,
      messages: [{ role: 'user', content: 'Hi' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = '';
    let usage: OpenAI.CompletionUsage | undefined | null;
    let finish: string | null | undefined;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta?.content ?? '';
      finish = chunk.choices[0]?.finish_reason ?? finish;
      if (chunk.usage) usage = chunk.usage;
    }
    expect(text).toBe(REPLY);
    expect(finish).toBe('stop');
    expect(usage?.completion_tokens).toBeGreaterThan(0);
  });

  it('keeps the usage chunk the gateway asked for from a client that did not (LiteLLM\'s has one empty choice)', async () => {
    const stream = await client.chat.completions.create({ model: CHAT_MODEL, messages: [{ role: 'user', content: 'Hi' }], stream: true });
    let text = '';
    for await (const chunk of stream) {
      expect(chunk.usage ?? undefined).toBeUndefined();
      text += chunk.choices[0]?.delta?.content ?? '';
    }
    expect(text).toBe(REPLY);
  });

  it('answers embeddings from the server', async () => {
    const embeddings = await client.embeddings.create({ model: EMBEDDING_MODEL, input: 'hello', encoding_format: 'float' });
    expect(embeddings.data[0].embedding).toEqual([0.25, 0.5, 0.75]);
  });

  it('lists the provider\'s models among the gateway\'s', async () => {
    const models = await client.models.list();
    expect(models.data.map((model) => model.id)).toEqual(expect.arrayContaining([CHAT_MODEL, EMBEDDING_MODEL]));
  });
  it('discovers the server\'s models through the admin API (the router asks with the key) and, applied, serves the undeclared one unpinned', async () => {
    const found = await stack.admin('POST', '/admin/v1/providers/local/discover-models', { apply: true });
    expect(found.status).toBe(200);
    expect(found.body).toMatchObject({ provider: 'local', applied: true, added: [UNDECLARED_MODEL] });
    expect((found.body as { models: string[] }).models).toEqual(expect.arrayContaining([CHAT_MODEL, EMBEDDING_MODEL, UNDECLARED_MODEL]));
    expect(JSON.stringify(found.body)).not.toContain(proxy.masterKey);
    const completion = await client.chat.completions.create({ model: UNDECLARED_MODEL, messages: [{ role: 'user', content: 'Hi' }] });
    expect(completion.choices[0].message.content).toBe('From the fine-tune.');
  });
});
