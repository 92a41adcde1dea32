// Issue 15's end-to-end path: the official openai SDK → ingress → router → the Gemini adapter
// (embedded in the router, or the adapter-gemini service) → a fake Gemini API that follows the published wire format (AI Studio and Vertex,
// with a Google-style token endpoint), checked against @google/genai in libs/testing.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import OpenAI from 'openai';
import { ADAPTER_MODES, startFakeGemini, startFakeOpenAi, startGatewayStack, type FakeGemini, type FakeOpenAi, type GatewayStack } from '@ai-gateway/testing';

const GEMINI_KEY = `AIza${randomBytes(26).toString('base64url')}`;
const OPENAI_KEY = `sk-proj-${randomBytes(24).toString('base64url')}`;
const CLIENT_EMAIL = 'gateway@my-project.iam.gserviceaccount.com';
const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const PRIVATE_KEY_PEM = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const PRIVATE_KEY_ID = randomBytes(20).toString('hex');
const PNG_BASE64 = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==';
const SLICE = 16;

const tool = (name: string): OpenAI.ChatCompletionTool => ({
  type: 'function',
  function: { name, description: `The ${name.replace('get_', '')} in a city`, parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'], additionalProperties: false } },
});
const TOOLS = [tool('get_weather'), tool('get_time')];
const ASK: OpenAI.ChatCompletionMessageParam[] = [{ role: 'user', content: 'Weather and time in Paris?' }];

function leakedSlice(text: string, secret: string): string | undefined {
  for (let i = 0; i + SLICE <= text.length; i++) if (secret.includes(text.slice(i, i + SLICE))) return text.slice(i, i + SLICE);
  return undefined;
}

describe.each(ADAPTER_MODES)('Gemini and Vertex AI through the gateway end to end (adapters %s)', (adapterMode) => {
  let gemini: FakeGemini;
  let openai: FakeOpenAi;
  let stack: GatewayStack;
  let client: OpenAI;
  let serviceAccount: string;
  const seen: string[] = [];
  const ok = async (call: Promise<{ status: number; body: unknown }>): Promise<unknown> => {
    const { status, body } = await call;
    expect(status).toBeLessThan(300);
    seen.push(JSON.stringify(body ?? null));
    return body;
  };

  beforeAll(async () => {
    gemini = await startFakeGemini({ validApiKeys: [GEMINI_KEY], vertexAccounts: [{ clientEmail: CLIENT_EMAIL, publicKey }], eventDelayMs: 2 });
    openai = await startFakeOpenAi({ validKeys: [OPENAI_KEY] });
    serviceAccount = JSON.stringify({ type: 'service_account', project_id: 'my-project', private_key_id: PRIVATE_KEY_ID, private_key: PRIVATE_KEY_PEM, client_email: CLIENT_EMAIL, token_uri: gemini.tokenUri });
    stack = await startGatewayStack({ adapterMode, openaiBaseUrl: openai.baseUrl, env: { GEMINI_BASE_URL: gemini.url }, routerEnv: { MAX_RETRIES: '2', BREAKER_FAILURES: '100' } });
    const created = (await ok(stack.admin('POST', '/admin/v1/api-keys', { name: 'e2e-gemini' }))) as { key: string };
    await ok(stack.admin('POST', '/admin/v1/provider-keys', { provider: 'gemini', key: GEMINI_KEY, name: 'studio' }));
    await ok(stack.admin('POST', '/admin/v1/provider-keys', { provider: 'openai', key: OPENAI_KEY, name: 'openai' }));
    await ok(stack.admin('PUT', '/admin/v1/providers/gcp', { kind: 'vertex', baseUrl: gemini.url, project: 'my-project', location: 'us-central1' }));
    await ok(stack.admin('POST', '/admin/v1/provider-keys', { provider: 'gcp', key: serviceAccount, name: 'vertex' }));
    client = new OpenAI({ apiKey: created.key, baseURL: `${stack.ingressUrls[0]}/v1`, maxRetries: 0 });
  });

  afterEach(() => gemini.setScenario({ kind: 'auto' }));

  afterAll(async () => {
    await stack?.close();
    await gemini?.close();
    await openai?.close();
  });

  it('answers text from the Gemini provider with its key', async () => {
    const from = gemini.requests.length;
    const { data, response } = await client.chat.completions.create({ model: 'gemini-2.5-flash', messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'Say hello' }] }).withResponse();
    seen.push(JSON.stringify(data));
    expect(data.choices[0]).toMatchObject({ finish_reason: 'stop', message: { role: 'assistant', content: 'Hello from the fake Gemini model. You said: Say hello' } });
    expect(data.usage?.completion_tokens_details?.reasoning_tokens).toBe(12);
    expect(response.headers.get('x-gateway-provider')).toBe('gemini');
    expect(response.headers.get('x-gateway-model')).toBe('gemini-2.5-flash');
    expect(Object.keys(stack.apps).includes('adapter-gemini')).toBe(adapterMode === 'service');
    const received = gemini.requests.slice(from);
    expect(received.map((request) => [request.path, request.headers['x-goog-api-key']])).toEqual([['/v1beta/models/gemini-2.5-flash:generateContent', GEMINI_KEY]]);
  });

  it('streams text with the usage chunk last', async () => {
    gemini.setScenario({ kind: 'text', text: 'One two three four five.' }, 1);
    const stream = await client.chat.completions.create({ model: 'gemini-2.5-flash', messages: [{ role: 'user', content: 'Count' }], stream: true, stream_options: { include_usage: true } });
    const chunks: OpenAI.ChatCompletionChunk[] = [];
    for await (const chunk of stream) chunks.push(chunk);
    seen.push(JSON.stringify(chunks));
    expect(chunks.map((chunk) => chunk.choices[0]?.delta.content ?? '').join('')).toBe('One two three four five.');
    expect(chunks[chunks.length - 1]).toMatchObject({ choices: [], usage: { prompt_tokens: expect.any(Number), completion_tokens: expect.any(Number) } });
  });

  it.each<[string, OpenAI.ChatCompletionToolChoiceOption | undefined, string[]]>([
    ['one tool call', { type: 'function', function: { name: 'get_time' } }, ['get_time']],
    ['two tool calls', undefined, ['get_weather', 'get_time']],
  ])('streams %s that finalChatCompletion() assembles', async (_case, toolChoice, names) => {
    const runner = client.chat.completions.stream({ model: 'gemini-2.5-flash', messages: ASK, tools: TOOLS, ...(toolChoice ? { tool_choice: toolChoice } : {}) });
    const final = await runner.finalChatCompletion();
    seen.push(JSON.stringify(final));
    const calls = final.choices[0].message.tool_calls ?? [];
    expect(final.choices[0].finish_reason).toBe('tool_calls');
    expect(calls.map((call) => (call.type === 'function' ? [call.function.name, JSON.parse(call.function.arguments)] : []))).toEqual(names.map((name) => [name, { city: 'example city' }]));
    expect(new Set(calls.map((call) => call.id)).size).toBe(names.length);
  });

  it('carries the thought signature back on the tool-result turn, which Gemini 3 requires', async () => {
    const model = 'gemini-3-pro-preview';
    const asked = await client.chat.completions.stream({ model, messages: ASK, tools: TOOLS }).finalChatCompletion();
    const assistant = asked.choices[0].message;
    const results: OpenAI.ChatCompletionMessageParam[] = (assistant.tool_calls ?? []).map((call) => ({
      role: 'tool',
      tool_call_id: call.id,
      content: JSON.stringify({ answer: call.type === 'function' ? `${call.function.name} says 21C` : '' }),
    }));
    const answered = await client.chat.completions.create({ model, messages: [...ASK, assistant, ...results], tools: TOOLS });
    seen.push(JSON.stringify([asked, answered]));
    expect(answered.choices[0].message.content).toContain('get_time says 21C');
    const replayed = (gemini.requests[gemini.requests.length - 1].body as { contents: Array<{ role: string; parts: Array<{ thoughtSignature?: string }> }> }).contents[1];
    expect(replayed.role).toBe('model');
    expect(replayed.parts[0].thoughtSignature).toEqual(expect.any(String));
  });

  it('sends an image as inline data', async () => {
    const completion = await client.chat.completions.create({
      model: 'gemini-2.5-flash',
      messages: [{ role: 'user', content: [{ type: 'text', text: 'What is this?' }, { type: 'image_url', image_url: { url: `data:image/png;base64,${PNG_BASE64}` } }] }],
    });
    expect(completion.choices[0].message.content).toContain('[image image/png]');
    const parts = (gemini.requests[gemini.requests.length - 1].body as { contents: Array<{ parts: unknown[] }> }).contents[0].parts;
    expect(parts[1]).toEqual({ inlineData: { mimeType: 'image/png', data: PNG_BASE64 } });
  });

  it("honours a 429's RetryInfo delay, then answers from the same provider", async () => {
    gemini.setScenario({ kind: 'http_error', error: 'rate_limit', retryDelaySeconds: 1 }, 1);
    const from = gemini.requests.length;
    const { data, response } = await client.chat.completions.create({ model: 'gemini-2.5-flash', messages: [{ role: 'user', content: 'again' }] }).withResponse();
    expect(data.choices[0].message.content).toContain('You said: again');
    expect(response.headers.get('x-gateway-attempts')).toBe('2');
    const [limited, retried] = gemini.requests.slice(from);
    // A lower bound only (wall clock vs. timer clock may differ by a few ms): without the delay, the retry backoff is ~10 ms.
    expect(retried.receivedAt - limited.receivedAt).toBeGreaterThanOrEqual(950);
  });

  it('falls back from gpt-4o to a Gemini model when OpenAI fails', async () => {
    await ok(stack.admin('PUT', '/admin/v1/routing/fallbacks', { fallbacks: { 'gpt-4o': ['gemini-2.5-flash'] } }));
    openai.setPersistent({ kind: 'status', status: 503 });
    try {
      const { data, response } = await client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'fall back please' }], max_tokens: 50 }).withResponse();
      expect(response.headers.get('x-gateway-provider')).toBe('gemini');
      expect(response.headers.get('x-gateway-model')).toBe('gemini-2.5-flash');
      expect(data.choices[0].message.content).toContain('You said: fall back please');
    } finally {
      openai.setPersistent(undefined);
      await ok(stack.admin('PUT', '/admin/v1/routing/fallbacks', { fallbacks: {} }));
    }
  });

  it('answers embeddings (the SDK asks for base64 and decodes it)', async () => {
    const embeddings = await client.embeddings.create({ model: 'gemini-embedding-001', input: ['first', 'second'] });
    expect(embeddings.data.map((item) => [item.index, item.embedding.length])).toEqual([
      [0, 8],
      [1, 8],
    ]);
    expect(gemini.requests[gemini.requests.length - 1].path).toBe('/v1beta/models/gemini-embedding-001:batchEmbedContents');
  });

  it('answers through Vertex AI with a token minted from the service account', async () => {
    const { data, response } = await client.chat.completions.create({ model: 'gcp/gemini-2.5-flash', messages: [{ role: 'user', content: 'vertex?' }] }).withResponse();
    seen.push(JSON.stringify(data));
    expect(response.headers.get('x-gateway-provider')).toBe('gcp');
    const last = gemini.requests[gemini.requests.length - 1];
    expect(last.path).toBe('/v1/projects/my-project/locations/us-central1/publishers/google/models/gemini-2.5-flash:generateContent');
    expect(last.headers.authorization).toBe(`Bearer ${gemini.issuedTokens[gemini.issuedTokens.length - 1]}`);
  });

  it('leaks neither the Gemini key nor the service account, whole or in part, when the provider echoes them', async () => {
    const echo = (key: string): string => `bad credential ${key} (head ${key.slice(0, 40)}, tail ${key.slice(-24)})`;
    for (const model of ['gemini-2.5-flash', 'gcp/gemini-2.5-flash']) {
      gemini.setScenario({ kind: 'echo_key', message: (key) => `${echo(key)} ${echo(serviceAccount)}` }, 1);
      const error = await client.chat.completions.create({ model, messages: [{ role: 'user', content: 'echo' }] }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(OpenAI.APIError);
      seen.push(JSON.stringify((error as InstanceType<typeof OpenAI.APIError>).error), (error as Error).message);
      gemini.setScenario({ kind: 'stream_error_event', afterEvents: 1, message: (key) => `${echo(key)} ${echo(serviceAccount)}` }, 1);
      const stream = await client.chat.completions.create({ model, messages: [{ role: 'user', content: 'echo' }], stream: true });
      const failure = await (async () => {
        for await (const chunk of stream) seen.push(JSON.stringify(chunk));
      })().catch((e: unknown) => e);
      seen.push(String(failure));
    }
    const everything = [...seen, stack.logText()].join('\n');
    expect(everything).not.toContain(serviceAccount);
    // The account's public fields (client_email, token_uri) may appear anywhere; its secrets, in no form.
    for (const secret of [GEMINI_KEY, PRIVATE_KEY_PEM, JSON.stringify(PRIVATE_KEY_PEM), PRIVATE_KEY_ID, ...gemini.issuedTokens]) expect(leakedSlice(everything, secret)).toBeUndefined();
  });

  // Last: the exhausted key stays cooled down for the router's longest cool-down.
  it('does not retry an exhausted daily quota: the next provider of the model answers at once', async () => {
    gemini.setScenario({ kind: 'http_error', error: 'daily_quota' }, 1);
    const from = gemini.requests.length;
    const { data, response } = await client.chat.completions.create({ model: 'gemini-2.5-flash', messages: [{ role: 'user', content: 'quota?' }] }).withResponse();
    expect(data.choices[0].message.content).toContain('You said: quota?');
    expect(response.headers.get('x-gateway-provider')).toBe('gcp');
    expect(response.headers.get('x-gateway-attempts')).toBe('2');
    expect(gemini.requests.slice(from).filter((request) => request.path.startsWith('/v1beta/')).length).toBe(1);
  });
});
