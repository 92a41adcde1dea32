import OpenAI, { AzureOpenAI } from 'openai';
import { FAKE_AZURE_API_KEY, startFakeAzureOpenAi, startFakeEntra, type FakeAzureOpenAi, type FakeEntra } from './index';

// The official `openai` package's AzureOpenAI client pointed at the fakes: it must build the
// requests the fake checks, and parse everything the fake answers.

const CLIENT = { tenantId: 'contoso.onmicrosoft.com', clientId: '00001111-aaaa-2222-bbbb-3333cccc4444', clientSecret: 'Qx8Q~fakeSecretValue0123456789abcdefghij' };
const WEATHER = { type: 'function' as const, function: { name: 'get_weather', parameters: { type: 'object', properties: { location: { type: 'string' } } } } };
const hello = [{ role: 'user' as const, content: 'Hi' }];

describe('fake Azure OpenAI, read by the official AzureOpenAI client', () => {
  let entra: FakeEntra;
  let fake: FakeAzureOpenAi;
  let client: AzureOpenAI;

  beforeAll(async () => {
    entra = await startFakeEntra({ clients: [CLIENT] });
    fake = await startFakeAzureOpenAi({ isValidToken: (token) => entra.isValidToken(token) });
  });
  afterAll(async () => {
    await fake.close();
    await entra.close();
  });
  beforeEach(() => {
    client = new AzureOpenAI({ endpoint: fake.url, apiKey: FAKE_AZURE_API_KEY, apiVersion: '2024-10-21', maxRetries: 0 });
  });

  it('answers a chat on the deployment path with api-version and api-key, with prompt and content filter results', async () => {
    const completion = await client.chat.completions.create({ model: 'prod-gpt4o', messages: hello });
    expect(completion.choices[0].message.content).toBe('Hello from Azure.');
    expect(completion.model).toBe('gpt-4o-2024-08-06');
    expect(completion.usage?.total_tokens).toBeGreaterThan(0);
    expect((completion as unknown as { prompt_filter_results: unknown[] }).prompt_filter_results).toHaveLength(1);
    const request = fake.requests[fake.requests.length - 1];
    expect(request).toMatchObject({ path: '/openai/deployments/prod-gpt4o/chat/completions', apiVersion: '2024-10-21' });
    expect(request.headers['api-key']).toBe(FAKE_AZURE_API_KEY);
  });

  it('streams text after a prompt annotation chunk with no choices, and the usage chunk', async () => {
    const stream = await client.chat.completions.create({ model: 'prod-gpt4o', messages: hello, stream: true, stream_options: { include_usage: true } });
    const chunks = [];
    for await (const chunk of stream) chunks.push(chunk);
    expect(chunks[0].choices).toEqual([]);
    expect(chunks.map((chunk) => chunk.choices[0]?.delta?.content ?? '').join('')).toBe('Hello from Azure.');
    expect(chunks[chunks.length - 1].usage?.completion_tokens).toBe(4);
  });

  it('streams a tool call in fragments', async () => {
    const stream = client.chat.completions.stream({ model: 'prod-gpt4o', messages: hello, tools: [WEATHER] });
    const final = await stream.finalChatCompletion();
    expect(final.choices[0].finish_reason).toBe('tool_calls');
    expect(final.choices[0].message.tool_calls?.[0]).toMatchObject({ type: 'function', function: { name: 'get_weather', arguments: '{"location":"Paris"}' } });
  });

  it('answers a tool call unary', async () => {
    const completion = await client.chat.completions.create({ model: 'prod-gpt4o', messages: hello, tools: [WEATHER] });
    expect(completion.choices[0].message.tool_calls?.[0].id).toMatch(/^call_/);
  });

  it('answers embeddings in base64 (the SDK default) and as floats', async () => {
    const base64 = await client.embeddings.create({ model: 'embed3', input: ['a', 'b'] });
    expect(base64.data).toHaveLength(2);
    expect(base64.data[0].embedding).toHaveLength(8);
    const floats = await client.embeddings.create({ model: 'embed3', input: 'a', encoding_format: 'float', dimensions: 4 });
    expect(floats.data[0].embedding).toEqual([0.01, 0.011, 0.012, 0.013]);
    expect(fake.requests[fake.requests.length - 1].path).toBe('/openai/deployments/embed3/embeddings');
  });

  it('refuses a filtered prompt with a 400 content_filter the SDK reads', async () => {
    fake.enqueue({ kind: 'content_filter_prompt' });
    const error = await client.chat.completions.create({ model: 'prod-gpt4o', messages: hello }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect(error).toMatchObject({ status: 400, code: 'content_filter', param: 'prompt' });
  });

  it('ends filtered output with finish_reason content_filter, unary and streamed', async () => {
    fake.enqueue({ kind: 'content_filter_output' }, { kind: 'content_filter_output' });
    const completion = await client.chat.completions.create({ model: 'prod-gpt4o', messages: hello });
    expect(completion.choices[0].finish_reason).toBe('content_filter');
    const stream = await client.chat.completions.create({ model: 'prod-gpt4o', messages: hello, stream: true });
    const reasons = [];
    for await (const chunk of stream) reasons.push(chunk.choices[0]?.finish_reason);
    expect(reasons).toContain('content_filter');
  });

  it('streams in the asynchronous filter mode with annotation chunks that have no delta', async () => {
    fake.enqueue({ kind: 'async_filter' });
    const stream = await client.chat.completions.create({ model: 'prod-gpt4o', messages: hello, stream: true });
    const chunks = [];
    for await (const chunk of stream) chunks.push(chunk);
    expect(chunks.filter((chunk) => chunk.choices[0] && chunk.choices[0].delta === undefined)).toHaveLength(2);
  });

  it('names a missing deployment in a 404 the SDK reads', async () => {
    const error = await client.chat.completions.create({ model: 'no-such-deployment', messages: hello }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.NotFoundError);
    expect(error).toMatchObject({ code: 'DeploymentNotFound' });
  });

  it('answers 404 for an api-version it does not serve, 401 for a wrong key', async () => {
    const old = new AzureOpenAI({ endpoint: fake.url, apiKey: FAKE_AZURE_API_KEY, apiVersion: '2022-12-01', maxRetries: 0 });
    await expect(old.chat.completions.create({ model: 'prod-gpt4o', messages: hello })).rejects.toBeInstanceOf(OpenAI.NotFoundError);
    const wrong = new AzureOpenAI({ endpoint: fake.url, apiKey: 'wrong', apiVersion: '2024-10-21', maxRetries: 0 });
    await expect(wrong.chat.completions.create({ model: 'prod-gpt4o', messages: hello })).rejects.toBeInstanceOf(OpenAI.AuthenticationError);
  });

  it('rate limits with retry-after-ms and retry-after', async () => {
    fake.enqueue({ kind: 'rate_limit', retryAfterMs: 1500 });
    const error = await client.chat.completions.create({ model: 'prod-gpt4o', messages: hello }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.RateLimitError);
    const headers = (error as InstanceType<typeof OpenAI.RateLimitError>).headers;
    expect(headers.get('retry-after-ms')).toBe('1500');
    expect(headers.get('retry-after')).toBe('2');
  });

  it('ends a stream with an in-band error event the SDK raises', async () => {
    fake.enqueue({ kind: 'stream_error_event', afterChunks: 3 });
    const stream = await client.chat.completions.create({ model: 'prod-gpt4o', messages: hello, stream: true });
    await expect(
      (async () => {
        for await (const _chunk of stream) void _chunk;
      })(),
    ).rejects.toThrow(/server had an error/);
  });

  it('accepts an Entra ID token from the fake token endpoint as the bearer credential', async () => {
    const tokenProvider = async (): Promise<string> => {
      const response = await fetch(`${entra.url}/${CLIENT.tenantId}/oauth2/v2.0/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ grant_type: 'client_credentials', client_id: CLIENT.clientId, client_secret: CLIENT.clientSecret, scope: 'https://cognitiveservices.azure.com/.default' }),
      });
      const body = (await response.json()) as { access_token: string; token_type: string; expires_in: number };
      expect(body).toMatchObject({ token_type: 'Bearer', expires_in: 3599 });
      return body.access_token;
    };
    const entraClient = new AzureOpenAI({ endpoint: fake.url, azureADTokenProvider: tokenProvider, apiVersion: '2024-10-21', maxRetries: 0 });
    const completion = await entraClient.chat.completions.create({ model: 'prod-gpt4o', messages: hello });
    expect(completion.choices[0].message.content).toBe('Hello from Azure.');
    expect(fake.requests[fake.requests.length - 1].headers.authorization).toMatch(/^Bearer eyJ/);
    entra.revokeAll();
    await expect(entraClient.chat.completions.create({ model: 'prod-gpt4o', messages: hello })).resolves.toBeDefined();
  });

  it('refuses a wrong client secret with invalid_client and an AADSTS code', async () => {
    const response = await fetch(`${entra.url}/${CLIENT.tenantId}/oauth2/v2.0/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'client_credentials', client_id: CLIENT.clientId, client_secret: 'wrong', scope: 'https://cognitiveservices.azure.com/.default' }),
    });
    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({ error: 'invalid_client', error_description: expect.stringMatching(/^AADSTS7000215/) });
  });

  it('serves the v1 surface to the plain OpenAI client: model = deployment, no api-version', async () => {
    const v1 = new OpenAI({ baseURL: `${fake.url}/openai/v1`, apiKey: FAKE_AZURE_API_KEY, maxRetries: 0 });
    const completion = await v1.chat.completions.create({ model: 'prod-gpt4o', messages: hello });
    expect(completion.model).toBe('gpt-4o-2024-08-06');
    expect(fake.requests[fake.requests.length - 1]).toMatchObject({ path: '/openai/v1/chat/completions', apiVersion: null });
    const models = await v1.models.list();
    expect(models.data.map((model) => model.id)).toContain('prod-gpt4o');
  });
});
