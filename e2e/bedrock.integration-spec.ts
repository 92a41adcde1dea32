// Issue 16's end-to-end path: the official openai SDK → ingress → router (the Bedrock adapter
// embedded, or behind its own adapter service) → a fake Bedrock Runtime that verifies every
// request's SigV4 signature and frames streams with the AWS event-stream codec; a fake OpenAI as
// the fallback provider.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI from 'openai';
import { createAdapterService } from '@ai-gateway/adapters';
import type { RunningService } from '@ai-gateway/service-kit';
import {
  ADAPTER_MODES,
  expectEventually,
  fakeEmbedding,
  startFakeBedrock,
  startFakeOpenAi,
  startGatewayStack,
  sumOfSeries,
  type FakeBedrock,
  type FakeOpenAi,
  type GatewayStack,
} from '@ai-gateway/testing';

const OPENAI_KEY = 'sk-proj-bedrockFallbackKey0123456789ab';
const CREDENTIALS = {
  accessKeyId: `AKIA${randomBytes(8).toString('hex').toUpperCase()}`,
  secretAccessKey: randomBytes(30).toString('base64'),
  sessionToken: `IQoJb3JpZ2luX2Vj${randomBytes(160).toString('base64')}`,
};
const MODEL = 'claude-3-5-sonnet';
const BEDROCK_MODEL = 'anthropic.claude-3-5-sonnet-20241022-v2:0';
const PNG = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==';
const WEATHER: OpenAI.ChatCompletionTool = { type: 'function', function: { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } } };
const TIME: OpenAI.ChatCompletionTool = { type: 'function', function: { name: 'get_time', parameters: { type: 'object', properties: {} } } };
const ASK: OpenAI.ChatCompletionMessageParam[] = [{ role: 'user', content: 'Say hello' }];

async function ok(result: Promise<{ status: number; body: unknown }>): Promise<unknown> {
  const { status, body } = await result;
  if (status !== 200 && status !== 201) throw new Error(`admin call answered ${status}: ${JSON.stringify(body)}`);
  return body;
}

describe.each(ADAPTER_MODES)('AWS Bedrock through the gateway end to end (%s adapter)', (mode) => {
  let bedrock: FakeBedrock;
  let openai: FakeOpenAi;
  let stack: GatewayStack;
  let client: OpenAI;
  /** Service mode: the bedrock kind's adapter service, and where it logs. */
  let adapterService: RunningService | undefined;
  const logDir = mkdtempSync(join(tmpdir(), 'bedrock-adapter-'));
  const responses: string[] = [];
  const logText = (): string => {
    const adapterLog = join(logDir, 'adapter-bedrock.log');
    return stack.logText() + (existsSync(adapterLog) ? readFileSync(adapterLog, 'utf8') : '');
  };

  /** The router reaches Bedrock through its own adapter service: started, then named in the router's ADAPTER_URLS. */
  const serveBedrockAsService = async (): Promise<void> => {
    adapterService = await createAdapterService({ name: 'adapter-bedrock', kinds: ['bedrock'], defaultPort: 0 }, {
      GRPC_PORT: '0',
      BIND_HOST: '127.0.0.1',
      METRICS_PORT: '0',
      SERVICE_CALLERS: stack.serviceCallers,
      LOG_FILE: join(logDir, 'adapter-bedrock.log'),
    });
    const port = stack.apps['router-0'].ports.grpc;
    await stack.stopApp('router-0');
    await stack.startApp('router-0', { GRPC_PORT: String(port), ADAPTER_URLS: `bedrock=127.0.0.1:${adapterService.ports.grpc}` });
  };

  const collect = async (stream: AsyncIterable<OpenAI.ChatCompletionChunk>): Promise<OpenAI.ChatCompletionChunk[]> => {
    const chunks: OpenAI.ChatCompletionChunk[] = [];
    for await (const chunk of stream) chunks.push(chunk);
    responses.push(JSON.stringify(chunks));
    return chunks;
  };

  beforeAll(async () => {
    bedrock = await startFakeBedrock({ credentials: [CREDENTIALS], frameDelayMs: 2 });
    openai = await startFakeOpenAi({ validKeys: [OPENAI_KEY] });
    stack = await startGatewayStack({ openaiBaseUrl: openai.baseUrl, routerEnv: { MAX_RETRIES: '1', BREAKER_FAILURES: '100' } });
    if (mode === 'service') await serveBedrockAsService();
    await ok(stack.admin('PUT', '/admin/v1/providers/bedrock', { kind: 'bedrock', baseUrl: bedrock.url, region: bedrock.region, confirmKeyRedirect: true }));
    responses.push(JSON.stringify(await ok(stack.admin('POST', '/admin/v1/provider-keys', { provider: 'bedrock', key: JSON.stringify(CREDENTIALS), name: 'aws' }))));
    await ok(stack.admin('POST', '/admin/v1/provider-keys', { provider: 'openai', key: OPENAI_KEY }));
    await ok(stack.admin('PUT', '/admin/v1/routing/fallbacks', { fallbacks: { [MODEL]: ['gpt-4o'] } }));
    const created = (await ok(stack.admin('POST', '/admin/v1/api-keys', { name: 'e2e-bedrock' }))) as { key: string };
    client = new OpenAI({ apiKey: created.key, baseURL: `${stack.ingressUrls[0]}/v1`, maxRetries: 0 });
    // The router learns keys and config through watch streams: wait until Bedrock serves.
    await expectEventually(async () => {
      const { response } = await client.chat.completions.create({ model: MODEL, messages: ASK }).withResponse();
      expect(response.headers.get('x-gateway-provider')).toBe('bedrock');
    }, 10_000);
  });

  afterEach(() => bedrock.setScenario({ kind: 'auto' }));

  afterAll(async () => {
    await stack?.close();
    await adapterService?.close();
    await Promise.all([bedrock?.close(), openai?.close()]);
    rmSync(logDir, { recursive: true, force: true });
  });

  it('answers text from Converse, signed with SigV4 and the session token', async () => {
    const from = bedrock.requests.length;
    const { data, response } = await client.chat.completions.create({ model: MODEL, messages: [{ role: 'system', content: 'Be brief.' }, ...ASK] }).withResponse();
    responses.push(JSON.stringify(data));
    expect(data.choices[0]).toMatchObject({ message: { role: 'assistant', content: 'Hello from the fake Bedrock model.' }, finish_reason: 'stop' });
    expect(data.model).toBe(BEDROCK_MODEL);
    expect(data.usage).toMatchObject({ prompt_tokens: 18, completion_tokens: 10, total_tokens: 28, prompt_tokens_details: { cached_tokens: 3 } });
    expect(response.headers.get('x-gateway-provider')).toBe('bedrock');
    expect(response.headers.get('x-gateway-model')).toBe(BEDROCK_MODEL);
    expect(bedrock.requests.slice(from)).toMatchObject([{ modelId: BEDROCK_MODEL, operation: 'converse', auth: 'sigv4', body: { system: [{ text: 'Be brief.' }] } }]);
    if (adapterService) {
      // Service mode: the call went through the adapter service, not an adapter inside the router.
      const metrics = await (await fetch(`http://127.0.0.1:${adapterService.ports.metrics}/metrics`)).text();
      expect(metrics).toMatch(/grpc_server_handled_total\{[^}]*grpc_method="Chat"[^}]*\} [1-9]/);
    }
  });

  it('streams text with a usage chunk', async () => {
    const chunks = await collect(await client.chat.completions.create({ model: MODEL, messages: ASK, stream: true, stream_options: { include_usage: true } }));
    expect(chunks.map((chunk) => chunk.choices[0]?.delta.content ?? '').join('')).toBe('Hello from the fake Bedrock model.');
    expect(chunks.at(-2)?.choices[0].finish_reason).toBe('stop');
    expect(chunks.at(-1)).toMatchObject({ choices: [], usage: { prompt_tokens: 18, completion_tokens: 10, total_tokens: 28 } });
  });

  it('streams two tool calls that the SDK assembles exactly, then answers the tool results', async () => {
    bedrock.setScenario({ kind: 'tool_use', toolCount: 2 }, 1);
    const stream = client.chat.completions.stream({ model: MODEL, messages: ASK, tools: [WEATHER, TIME] });
    const final = await stream.finalChatCompletion();
    responses.push(JSON.stringify(final));
    const message = final.choices[0].message;
    expect(final.choices[0].finish_reason).toBe('tool_calls');
    const functionCalls = (message.tool_calls ?? []).flatMap((call) => (call.type === 'function' ? [call] : []));
    expect(functionCalls.map((call) => [call.function.name, JSON.parse(call.function.arguments)])).toEqual([
      ['get_weather', { city: 'Paris', unit: 'celsius' }],
      ['get_time', { city: 'Berlin', unit: 'celsius' }],
    ]);
    expect(message.tool_calls?.every((call) => call.id.startsWith('tooluse_'))).toBe(true);

    const answer = await client.chat.completions.create({
      model: MODEL,
      tools: [WEATHER, TIME],
      messages: [...ASK, message, ...(message.tool_calls ?? []).map((call) => ({ role: 'tool' as const, tool_call_id: call.id, content: 'sunny, 21°C' }))],
    });
    expect(answer.choices[0].message.content).toBe('The tool says it is sunny.');
    const sent = bedrock.requests.at(-1)?.body as { messages: Array<{ role: string; content: Array<Record<string, unknown>> }> };
    expect(sent.messages.at(-1)?.content.map((block) => Object.keys(block)[0])).toEqual(['toolResult', 'toolResult']);
  });

  it('passes an image given as a data: URL, and refuses an https image URL with a 400', async () => {
    const seen = await client.chat.completions.create({
      model: MODEL,
      messages: [{ role: 'user', content: [{ type: 'text', text: 'What is it?' }, { type: 'image_url', image_url: { url: `data:image/png;base64,${PNG}` } }] }],
    });
    expect(seen.choices[0].message.content).toBe('I see 1 image.');
    const refused = await client.chat.completions
      .create({ model: MODEL, messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'https://example.com/cat.png' } }] }] })
      .then(
        () => undefined,
        (error: unknown) => error,
      );
    expect(refused).toBeInstanceOf(OpenAI.BadRequestError);
    expect((refused as InstanceType<typeof OpenAI.BadRequestError>).param).toBe('messages[0].content[0].image_url.url');
  });

  it('falls back to another provider when an exception frame comes before the first chunk', async () => {
    bedrock.setScenario({ kind: 'stream_exception', exceptionType: 'serviceUnavailableException', afterEvents: 0 }, 10);
    const from = bedrock.requests.length;
    const { data, response } = await client.chat.completions.create({ model: MODEL, messages: ASK, stream: true }).withResponse();
    const chunks = await collect(data);
    expect(bedrock.requests.slice(from).map((request) => request.operation)).toContain('converse-stream');
    expect(Number(response.headers.get('x-gateway-attempts'))).toBeGreaterThanOrEqual(2);
    expect(response.headers.get('x-gateway-provider')).toBe('openai');
    expect(chunks.map((chunk) => chunk.choices[0]?.delta.content ?? '').join('')).toBe('Hello from the fake provider.');
  });

  it('ends the stream with an error event when an exception frame comes after content', async () => {
    bedrock.setScenario({ kind: 'stream_exception', exceptionType: 'modelStreamErrorException', message: 'The model stopped.', afterEvents: 3 }, 1);
    const stream = await client.chat.completions.create({ model: MODEL, messages: ASK, stream: true });
    const received: string[] = [];
    const error = await (async () => {
      for await (const chunk of stream) received.push(chunk.choices[0]?.delta.content ?? '');
    })().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(received.join('').length).toBeGreaterThan(0);
    expect(error).toBeInstanceOf(OpenAI.APIError);
    expect(String((error as Error).message)).toContain('The model stopped.');
  });

  it('answers embeddings of a Titan model through InvokeModel, in the SDK’s default base64 form', async () => {
    const { data } = await client.embeddings.create({ model: 'amazon.titan-embed-text-v2:0', input: ['hello', 'world'] });
    expect(data.map((item) => item.embedding)).toEqual(['hello', 'world'].map((text) => fakeEmbedding(text).map((x) => Math.fround(x))));
    expect(bedrock.requests.slice(-2).map((request) => [request.operation, request.body])).toEqual([
      ['invoke', { inputText: 'hello' }],
      ['invoke', { inputText: 'world' }],
    ]);
  });

  it('serves gpt-4o from Bedrock when OpenAI fails and the fallback map names a pinned Bedrock model id', async () => {
    await ok(stack.admin('PUT', '/admin/v1/routing/fallbacks', { fallbacks: { [MODEL]: ['gpt-4o'], 'gpt-4o': [`bedrock/${BEDROCK_MODEL}`] } }));
    openai.setPersistent({ kind: 'status', status: 503 });
    try {
      await expectEventually(async () => {
        const { data, response } = await client.chat.completions.create({ model: 'gpt-4o', messages: ASK }).withResponse();
        expect(response.headers.get('x-gateway-provider')).toBe('bedrock');
        expect(response.headers.get('x-gateway-model')).toBe(BEDROCK_MODEL);
        expect(data.choices[0].message.content).toBe('Hello from the fake Bedrock model.');
      }, 10_000);
    } finally {
      openai.setPersistent(undefined);
      await ok(stack.admin('PUT', '/admin/v1/routing/fallbacks', { fallbacks: { [MODEL]: ['gpt-4o'] } }));
    }
  });

  it('counts Bedrock requests, failures and their catalog cost in analytics /metrics', async () => {
    const sum = sumOfSeries;
    await expectEventually(async () => {
      const metrics = await (await fetch(stack.metricsUrl('analytics'))).text();
      // The warm-up, text, stream, tool-call stream, tool results and image answers above.
      expect(sum(metrics, 'gen_ai_gateway_requests_total', 'gen_ai_gateway_provider_id="bedrock"', 'outcome="success"', `gen_ai_request_model="${MODEL}"`)).toBeGreaterThanOrEqual(6);
      // The stream ended by an exception frame after content.
      expect(sum(metrics, 'gen_ai_gateway_requests_total', 'gen_ai_gateway_provider_id="bedrock"', 'outcome="error"')).toBeGreaterThanOrEqual(1);
      expect(sum(metrics, 'gen_ai_gateway_cost_usd_total', 'gen_ai_gateway_provider_id="bedrock"')).toBeGreaterThan(0);
      expect(sum(metrics, 'gen_ai_gateway_requests_total', 'gen_ai_gateway_provider_id="bedrock"', 'gen_ai_operation_name="embeddings"', 'outcome="success"')).toBe(1);
    }, 15_000);
  });

  it('never shows any part of the AWS credentials in a response or a log line', async () => {
    bedrock.setScenario({ kind: 'echo_secret', status: 400, errorType: 'ValidationException', message: (secret) => `bad request from ${secret}` }, 1);
    const error = await client.chat.completions.create({ model: MODEL, messages: ASK }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    responses.push(JSON.stringify(error), String((error as Error).message));
    const written = logText() + responses.join('\n');
    const leaks: string[] = [];
    for (const secret of [CREDENTIALS.accessKeyId, CREDENTIALS.secretAccessKey, CREDENTIALS.sessionToken]) {
      for (let i = 0; i + 16 <= secret.length; i++) if (written.includes(secret.slice(i, i + 16))) leaks.push(`${secret.slice(0, 4)}…[${i}]`);
    }
    expect(leaks).toEqual([]);
    expect(stack.logText().length).toBeGreaterThan(0);
  });

  // Last: a 429 cools the Bedrock key for a second.
  it('falls back to another provider when Bedrock throttles (429 ThrottlingException)', async () => {
    bedrock.setScenario({ kind: 'http_error', status: 429 }, 10);
    const from = bedrock.requests.length;
    const { data, response } = await client.chat.completions.create({ model: MODEL, messages: ASK }).withResponse();
    expect(bedrock.requests.slice(from).map((request) => request.operation)).toContain('converse');
    expect(Number(response.headers.get('x-gateway-attempts'))).toBeGreaterThanOrEqual(2);
    expect(response.headers.get('x-gateway-provider')).toBe('openai');
    expect(data.choices[0].message.content).toBe('Hello from the fake provider.');
  });
});
