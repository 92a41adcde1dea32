// Azure OpenAI end to end: the official openai SDK → ingress → router (the azure-openai adapter
// embedded) → the fake Azure OpenAI resource, beside the fake OpenAI for the same models.
import OpenAI from 'openai';
import {
  expectEventually,
  FAKE_AZURE_API_KEY,
  startFakeAzureOpenAi,
  startFakeOpenAi,
  startGatewayStack,
  type FakeAzureOpenAi,
  type FakeOpenAi,
  type GatewayStack,
} from '@ai-gateway/testing';

const OPENAI_KEY = 'sk-proj-azureE2eOpenAiKey0123456789abcdef';
const ASK = [{ role: 'user' as const, content: 'Hi' }];
const WEATHER = { type: 'function' as const, function: { name: 'get_weather', parameters: { type: 'object', properties: { location: { type: 'string' } } } } };
const SLICE = 16;

function leakedSlice(text: string, secret: string): string | undefined {
  for (let i = 0; i + SLICE <= secret.length; i++) if (text.includes(secret.slice(i, i + SLICE))) return secret.slice(i, i + SLICE);
  return undefined;
}

describe('Azure OpenAI end to end', () => {
  let azure: FakeAzureOpenAi;
  let openai: FakeOpenAi;
  let stack: GatewayStack;
  let client: OpenAI;
  const seen: string[] = [];

  beforeAll(async () => {
    azure = await startFakeAzureOpenAi({ deployments: { 'prod-gpt4o': 'gpt-4o-2024-08-06', embed3: 'text-embedding-3-small', 'ft-deploy-7': 'gpt-4o-mini-2024-07-18:ft' } });
    openai = await startFakeOpenAi({ validKeys: [OPENAI_KEY] });
    stack = await startGatewayStack({ openaiBaseUrl: openai.baseUrl });
    const ok = async (reply: Promise<{ status: number; body: unknown }>) => {
      const { status, body } = await reply;
      expect([200, 201]).toContain(status);
      seen.push(JSON.stringify(body));
    };
    await ok(
      stack.admin('PUT', '/admin/v1/providers/azure', {
        kind: 'azure-openai',
        baseUrl: azure.url,
        deployments: { 'gpt-4o': 'prod-gpt4o', 'text-embedding-3-small': 'embed3', 'my-finetune': 'ft-deploy-7', 'gpt-4o-mini': 'missing-deployment' },
      }),
    );
    await ok(stack.admin('POST', '/admin/v1/provider-keys', { provider: 'azure', key: FAKE_AZURE_API_KEY, name: 'azure' }));
    await ok(stack.admin('POST', '/admin/v1/provider-keys', { provider: 'openai', key: OPENAI_KEY, name: 'openai' }));
    await ok(stack.admin('PUT', '/admin/v1/routing/priority', { order: ['azure', 'openai'] }));
    const created = await stack.admin('POST', '/admin/v1/api-keys', { name: 'azure-e2e' });
    client = new OpenAI({ apiKey: (created.body as { key: string }).key, baseURL: `${stack.ingressUrls[0]}/v1`, maxRetries: 0 });
  });

  afterAll(async () => {
    await stack?.close();
    await azure?.close();
    await openai?.close();
  });

  it('answers gpt-4o from its Azure deployment, with the api-key and the default api-version', async () => {
    const { data, response } = await client.chat.completions.create({ model: 'gpt-4o', messages: ASK }).withResponse();
    expect(data.choices[0].message.content).toBe('Hello from Azure.');
    expect(response.headers.get('x-gateway-provider')).toBe('azure');
    const sent = azure.requests[azure.requests.length - 1];
    expect(sent).toMatchObject({ path: '/openai/deployments/prod-gpt4o/chat/completions', apiVersion: '2024-10-21' });
    expect(sent.headers['api-key']).toBe(FAKE_AZURE_API_KEY);
  });

  it('streams text with every chunk an OpenAI chunk (Azure\'s prompt annotations dropped)', async () => {
    const stream = await client.chat.completions.create({ model: 'gpt-4o', messages: ASK, stream: true, stream_options: { include_usage: true } });
    let text = '';
    let usage: OpenAI.CompletionUsage | null | undefined;
    for await (const chunk of stream) {
      if (chunk.usage) usage = chunk.usage;
      else expect(chunk.choices[0].delta).toBeDefined();
      text += chunk.choices[0]?.delta?.content ?? '';
    }
    expect(text).toBe('Hello from Azure.');
    expect(usage?.completion_tokens).toBe(4);
  });

  it('streams a tool call the SDK assembles', async () => {
    const final = await client.chat.completions.stream({ model: 'gpt-4o', messages: ASK, tools: [WEATHER] }).finalChatCompletion();
    expect(final.choices[0].message.tool_calls?.[0]).toMatchObject({ function: { name: 'get_weather', arguments: '{"location":"Paris"}' } });
  });

  it('answers embeddings from the embedding deployment (base64, the SDK default)', async () => {
    const embeddings = await client.embeddings.create({ model: 'text-embedding-3-small', input: ['a', 'b'] });
    expect(embeddings.data).toHaveLength(2);
    expect(embeddings.data[0].embedding).toHaveLength(8);
    expect(azure.requests[azure.requests.length - 1].path).toBe('/openai/deployments/embed3/embeddings');
  });

  it('returns a filtered prompt as 400 content_filter, without trying OpenAI', async () => {
    const before = openai.chatRequests();
    azure.enqueue({ kind: 'content_filter_prompt' });
    const error = await client.chat.completions.create({ model: 'gpt-4o', messages: ASK }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect(error).toMatchObject({ status: 400, code: 'content_filter' });
    expect(openai.chatRequests()).toBe(before);
  });

  it('relays a content_filter finish reason in a stream', async () => {
    azure.enqueue({ kind: 'content_filter_output' });
    const stream = await client.chat.completions.create({ model: 'gpt-4o', messages: ASK, stream: true });
    const reasons: Array<string | null> = [];
    for await (const chunk of stream) reasons.push(chunk.choices[0]?.finish_reason ?? null);
    expect(reasons).toContain('content_filter');
  });

  it('serves a deployment of a model the catalog does not know', async () => {
    const completion = await client.chat.completions.create({ model: 'my-finetune', messages: ASK });
    expect(completion.model).toBe('gpt-4o-mini-2024-07-18:ft');
    expect(azure.requests[azure.requests.length - 1].path).toBe('/openai/deployments/ft-deploy-7/chat/completions');
  });

  it('names a missing deployment in a 404', async () => {
    const error = await client.chat.completions.create({ model: 'azure/gpt-4o-mini', messages: ASK }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.NotFoundError);
    expect((error as Error).message).toContain('missing-deployment');
  });

  it('falls back from Azure to OpenAI for the same model when Azure fails', async () => {
    // Three answers: the first try and MAX_RETRIES (2) retries on Azure, then the next candidate.
    const before = azure.requests.length;
    azure.enqueue({ kind: 'status', status: 500 }, { kind: 'status', status: 500 }, { kind: 'status', status: 500 });
    const { data, response } = await client.chat.completions.create({ model: 'gpt-4o', messages: ASK }).withResponse();
    expect(data.choices[0].message.content).toBe('Hello from the fake provider.');
    expect(response.headers.get('x-gateway-provider')).toBe('openai');
    expect(response.headers.get('x-gateway-attempts')).toBe('4');
    expect(azure.requests.length - before).toBe(3);
  });

  it('never shows the Azure key in an answer or a log line', async () => {
    await expectEventually(() => expect(stack.logText()).toContain('azure'));
    expect(leakedSlice([...seen, stack.logText()].join('\n'), FAKE_AZURE_API_KEY)).toBeUndefined();
  });
});
