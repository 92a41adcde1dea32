// Issue 5's end-to-end path: the official openai SDK → ingress → router → adapter-anthropic →
// a fake Anthropic Messages API that follows the published wire format.
import OpenAI from 'openai';
import { ADAPTER_MODES, startFakeAnthropic, startGatewayStack, type FakeAnthropic, type GatewayStack } from '@ai-gateway/testing';

const ANTHROPIC_KEY = 'sk-ant-api03-e2eAnthropicKey0123456789abcdefXYZ';
const MODEL = 'claude-3-5-sonnet';
const PROVIDER_MODEL = 'claude-3-5-sonnet-20241022';
const CATALOG_MAX_OUTPUT_TOKENS = 8192;
const PNG_BASE64 = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==';

const WEATHER_TOOL: OpenAI.ChatCompletionTool = {
  type: 'function',
  function: {
    name: 'get_weather',
    description: 'The weather in a city',
    parameters: {
      type: 'object',
      properties: { city: { type: 'string' }, unit: { type: 'string', enum: ['celsius', 'fahrenheit'] }, days: { type: 'integer' } },
      required: ['city'],
    },
  },
};
const TIME_TOOL: OpenAI.ChatCompletionTool = {
  type: 'function',
  function: { name: 'get_time', parameters: { type: 'object', properties: { timezone: { type: 'string' }, precise: { type: 'boolean' } } } },
};
// What the fake answers for these schemas (fake-anthropic.reply.ts sampleValue, by property type).
const WEATHER_INPUT = { city: 'example city', unit: 'celsius', days: 1 };
const TIME_INPUT = { timezone: 'example timezone', precise: true };

interface AnthropicBody {
  model: string;
  max_tokens: number;
  system?: string | Array<{ type: string; text: string }>;
  messages: Array<{ role: string; content: string | Array<Record<string, unknown> & { type: string }> }>;
  stream?: boolean;
}

describe.each(ADAPTER_MODES)('Anthropic with %s adapters', (adapterMode) => {
  describe('Anthropic through the gateway end to end', () => {
    let fake: FakeAnthropic;
    let stack: GatewayStack;
    let gatewayKey: string;
    let client: OpenAI;
    const responses: string[] = [];

    /** The requests the fake received since `from`. */
    const receivedSince = (from: number) => fake.requests.slice(from);
    const lastBody = (): AnthropicBody => fake.requests[fake.requests.length - 1].body as AnthropicBody;

    beforeAll(async () => {
      fake = await startFakeAnthropic({ validApiKeys: [ANTHROPIC_KEY], eventDelayMs: 5 });
      // A breaker that opens late, so the overloaded case cannot turn the later cases away.
      stack = await startGatewayStack({ anthropicBaseUrl: fake.url, routerEnv: { MAX_RETRIES: '2', BREAKER_FAILURES: '100' }, adapterMode });
      const created = await stack.admin('POST', '/admin/v1/api-keys', { name: 'e2e-anthropic' });
      expect(created.status).toBe(201);
      gatewayKey = (created.body as { key: string }).key;
      const added = await stack.admin('POST', '/admin/v1/provider-keys', { provider: 'anthropic', key: ANTHROPIC_KEY, name: 'primary' });
      expect(added.status).toBe(201);
      responses.push(JSON.stringify(added.body));
      client = new OpenAI({ apiKey: gatewayKey, baseURL: `${stack.ingressUrls[0]}/v1`, maxRetries: 0 });
    });

    afterEach(() => fake.setScenario({ kind: 'auto' }));

    afterAll(async () => {
      await stack?.close();
      await fake?.close();
    });

    it('answers text for the alias, with the stored key, the version header, a top-level system and the catalog max_tokens', async () => {
      const from = fake.requests.length;
      const { data: completion, response } = await client.chat.completions
        .create({
          model: MODEL,
          messages: [
            { role: 'system', content: 'You are terse.' },
            { role: 'developer', content: 'Answer in English.' },
            { role: 'user', content: 'Say hello' },
          ],
        })
        .withResponse();
      responses.push(JSON.stringify(completion));

      expect(completion.object).toBe('chat.completion');
      expect(completion.model).toBe(PROVIDER_MODEL);
      expect(completion.choices).toHaveLength(1);
      expect(completion.choices[0].message.role).toBe('assistant');
      expect(completion.choices[0].message.content).toBe('Hello from the fake Anthropic model. You said: Say hello');
      expect(completion.choices[0].finish_reason).toBe('stop');
      expect(completion.usage?.prompt_tokens).toBeGreaterThan(0);
      expect(completion.usage?.total_tokens).toBe((completion.usage?.prompt_tokens ?? 0) + (completion.usage?.completion_tokens ?? 0));

      const received = receivedSince(from);
      expect(received).toHaveLength(1);
      expect(received[0].path).toBe('/v1/messages');
      expect(received[0].headers['x-api-key']).toBe(ANTHROPIC_KEY);
      expect(received[0].headers['anthropic-version']).toBe('2023-06-01');
      expect(received[0].headers.authorization).toBeUndefined();
      const body = received[0].body as AnthropicBody;
      expect(body.model).toBe(PROVIDER_MODEL);
      expect(body.max_tokens).toBe(CATALOG_MAX_OUTPUT_TOKENS);
      expect(body.system).toEqual([
        { type: 'text', text: 'You are terse.' },
        { type: 'text', text: 'Answer in English.' },
      ]);
      expect(body.messages).toEqual([{ role: 'user', content: [{ type: 'text', text: 'Say hello' }] }]);

      expect(response.headers.get('x-gateway-provider')).toBe('anthropic');
      expect(response.headers.get('x-gateway-model')).toBe(PROVIDER_MODEL);
      expect(response.headers.get('x-ratelimit-limit-requests')).toBe('50');
      expect(response.headers.get('x-ratelimit-remaining-requests')).toBe('49');
      expect(response.headers.get('x-ratelimit-limit-tokens')).toBe('40000');
      expect(response.headers.get('x-ratelimit-remaining-tokens')).toBe('39999');
      expect(response.headers.get('x-ratelimit-reset-requests')).toMatch(/^(\d+m)?\d+(\.\d+)?s$/);
      expect(response.headers.get('x-ratelimit-reset-tokens')).toMatch(/^(\d+m)?\d+(\.\d+)?s$/);
      expect(response.headers.get('anthropic-ratelimit-requests-limit')).toBe('50');
      expect(response.headers.get('anthropic-ratelimit-requests-remaining')).toBe('49');
      expect(response.headers.get('anthropic-ratelimit-input-tokens-limit')).toBe('30000');
      expect(response.headers.get('anthropic-ratelimit-output-tokens-remaining')).toBe('9999');
      expect(Date.parse(response.headers.get('anthropic-ratelimit-requests-reset') ?? '')).not.toBeNaN();
    });

    it("sends the client's max_completion_tokens as max_tokens", async () => {
      const completion = await client.chat.completions.create({
        model: MODEL,
        max_completion_tokens: 300,
        messages: [{ role: 'user', content: 'Short answer please' }],
      });
      responses.push(JSON.stringify(completion));
      expect(lastBody().max_tokens).toBe(300);
      expect(completion.choices[0].message.content).toContain('You said: Short answer please');
    });

    it('streams text and ends with a usage chunk holding the tokens the fake sent', async () => {
      const from = fake.requests.length;
      const { data: stream, response } = await client.chat.completions
        .create({
          model: MODEL,
          messages: [{ role: 'user', content: 'Stream please' }],
          stream: true,
          stream_options: { include_usage: true },
        })
        .withResponse();
      expect(response.headers.get('content-type')).toContain('text/event-stream');
      expect(response.headers.get('x-gateway-provider')).toBe('anthropic');
      expect(response.headers.get('x-gateway-model')).toBe(PROVIDER_MODEL);
      expect(response.headers.get('x-ratelimit-remaining-requests')).toBe('49');
      expect(response.headers.get('anthropic-ratelimit-requests-remaining')).toBe('49');
      const chunks: OpenAI.ChatCompletionChunk[] = [];
      for await (const chunk of stream) {
        chunks.push(chunk);
        responses.push(JSON.stringify(chunk));
      }
      const text = chunks.map((chunk) => chunk.choices[0]?.delta?.content ?? '').join('');
      expect(text).toBe('Hello from the fake Anthropic model. You said: Stream please');
      expect(chunks.length).toBeGreaterThan(3);
      expect(chunks.slice(0, -1).every((chunk) => chunk.choices.length === 1)).toBe(true);
      expect(chunks.find((chunk) => chunk.choices[0]?.finish_reason)?.choices[0].finish_reason).toBe('stop');
      const last = chunks[chunks.length - 1];
      expect(last.choices).toEqual([]);

      // The same request replayed straight at the fake shows the usage it streams for it.
      const received = receivedSince(from);
      expect(received).toHaveLength(1);
      expect((received[0].body as AnthropicBody).stream).toBe(true);
      const sent = await replayStreamUsage(fake.url, received[0].body);
      expect(last.usage).toMatchObject({
        prompt_tokens: sent.input,
        completion_tokens: sent.output,
        total_tokens: sent.input + sent.output,
      });
    });

    it.each([
      [1, [WEATHER_TOOL], [['get_weather', WEATHER_INPUT]]],
      [2, [WEATHER_TOOL, TIME_TOOL], [['get_weather', WEATHER_INPUT], ['get_time', TIME_INPUT]]],
    ] as const)('calls %i tool(s) without streaming', async (count, tools, expected) => {
      fake.setScenario({ kind: 'tool_use', toolCount: count }, 1);
      const completion = await client.chat.completions.create({
        model: MODEL,
        messages: [{ role: 'user', content: 'What is the weather and the time in Paris?' }],
        tools: [...tools],
      });
      responses.push(JSON.stringify(completion));
      const choice = completion.choices[0];
      expect(choice.finish_reason).toBe('tool_calls');
      const calls = (choice.message.tool_calls ?? []) as OpenAI.ChatCompletionMessageFunctionToolCall[];
      expect(calls).toHaveLength(count);
      expect(calls.map((call) => [call.function.name, JSON.parse(call.function.arguments) as unknown])).toEqual(expected);
      for (const call of calls) {
        expect(call.type).toBe('function');
        expect(call.id).toMatch(/^toolu_01/);
      }
      expect(new Set(calls.map((call) => call.id)).size).toBe(count);
      expect(lastBody()).toMatchObject({ tools: tools.map((tool) => ({ name: tool.function.name, input_schema: tool.function.parameters })) });
    });

    it.each([
      [1, [WEATHER_TOOL], [['get_weather', WEATHER_INPUT]]],
      [2, [WEATHER_TOOL, TIME_TOOL], [['get_weather', WEATHER_INPUT], ['get_time', TIME_INPUT]]],
    ] as const)('streams %i tool call(s) that the SDK assembles exactly', async (count, tools, expected) => {
      fake.setScenario({ kind: 'tool_use', toolCount: count }, 1);
      const stream = client.chat.completions.stream({
        model: MODEL,
        messages: [{ role: 'user', content: 'What is the weather and the time in Paris?' }],
        tools: [...tools],
      });
      const indexes = new Set<number>();
      stream.on('chunk', (chunk) => {
        responses.push(JSON.stringify(chunk));
        for (const call of chunk.choices[0]?.delta?.tool_calls ?? []) indexes.add(call.index);
      });
      const final = await stream.finalChatCompletion();
      responses.push(JSON.stringify(final));
      expect([...indexes].sort()).toEqual(Array.from({ length: count }, (_, i) => i));
      const choice = final.choices[0];
      expect(choice.finish_reason).toBe('tool_calls');
      expect(choice.message.content).toBe("I'll use the tools for that.");
      const calls = (choice.message.tool_calls ?? []) as OpenAI.ChatCompletionMessageFunctionToolCall[];
      expect(calls).toHaveLength(count);
      // Exact argument strings: the fake sends JSON.stringify(input), cut in pieces.
      expect(calls.map((call) => [call.function.name, call.function.arguments])).toEqual(
        expected.map(([name, input]) => [name, JSON.stringify(input)]),
      );
      for (const call of calls) expect(call.id).toMatch(/^toolu_01/);
      expect(new Set(calls.map((call) => call.id)).size).toBe(count);
    });

    it('takes the tool results back: tool_use in the assistant turn, tool_result blocks in one user turn', async () => {
      fake.setScenario({ kind: 'tool_use', toolCount: 2 }, 1);
      const question: OpenAI.ChatCompletionMessageParam = { role: 'user', content: 'What is the weather and the time in Paris?' };
      const first = await client.chat.completions.create({ model: MODEL, messages: [question], tools: [WEATHER_TOOL, TIME_TOOL] });
      responses.push(JSON.stringify(first));
      const calls = (first.choices[0].message.tool_calls ?? []) as OpenAI.ChatCompletionMessageFunctionToolCall[];
      expect(calls).toHaveLength(2);

      const from = fake.requests.length;
      const second = await client.chat.completions.create({
        model: MODEL,
        tools: [WEATHER_TOOL, TIME_TOOL],
        messages: [
          question,
          { role: 'assistant', content: first.choices[0].message.content, tool_calls: calls },
          { role: 'tool', tool_call_id: calls[0].id, content: 'Sunny, 21 degrees' },
          { role: 'tool', tool_call_id: calls[1].id, content: '14:05' },
        ],
      });
      responses.push(JSON.stringify(second));
      expect(second.choices[0].finish_reason).toBe('stop');
      expect(second.choices[0].message.content).toBe('Thanks, the tool said: Sunny, 21 degrees; 14:05.');
      expect(second.choices[0].message.tool_calls ?? []).toEqual([]);

      const received = receivedSince(from);
      expect(received).toHaveLength(1);
      const { messages } = received[0].body as AnthropicBody;
      expect(messages.map((message) => message.role)).toEqual(['user', 'assistant', 'user']);
      expect(messages[1].content).toEqual([
        { type: 'text', text: "I'll use the tools for that." },
        { type: 'tool_use', id: calls[0].id, name: 'get_weather', input: WEATHER_INPUT },
        { type: 'tool_use', id: calls[1].id, name: 'get_time', input: TIME_INPUT },
      ]);
      expect(messages[2].content).toEqual([
        { type: 'tool_result', tool_use_id: calls[0].id, content: 'Sunny, 21 degrees' },
        { type: 'tool_result', tool_use_id: calls[1].id, content: '14:05' },
      ]);
    });

    it.each([
      ['a base64 data: URI', `data:image/png;base64,${PNG_BASE64}`, { type: 'base64', media_type: 'image/png', data: PNG_BASE64 }],
      ['an https URL', 'https://example.com/cat.png', { type: 'url', url: 'https://example.com/cat.png' }],
    ])('accepts an image as %s', async (_case, url, source) => {
      const completion = await client.chat.completions.create({
        model: MODEL,
        messages: [
          {
            role: 'user',
            content: [
              { type: 'text', text: 'What is in this image?' },
              { type: 'image_url', image_url: { url } },
            ],
          },
        ],
      });
      responses.push(JSON.stringify(completion));
      expect(completion.choices[0].message.content).toContain('You said: What is in this image?');
      expect(lastBody().messages).toEqual([
        {
          role: 'user',
          content: [
            { type: 'text', text: 'What is in this image?' },
            { type: 'image', source },
          ],
        },
      ]);
    });

    it('refuses n: 2 with a 400 naming n, without calling Anthropic', async () => {
      const from = fake.requests.length;
      const failure = await client.chat.completions
        .create({ model: MODEL, n: 2, messages: [{ role: 'user', content: 'Two answers please' }] })
        .then(() => undefined, (error: unknown) => error);
      expect(failure).toBeInstanceOf(OpenAI.BadRequestError);
      const error = failure as InstanceType<typeof OpenAI.BadRequestError>;
      expect(error.status).toBe(400);
      expect(error.param).toBe('n');
      expect(error.type).toBe('invalid_request_error');
      expect(error.message).toContain("'n'");
      responses.push(JSON.stringify(error.error));
      expect(receivedSince(from)).toHaveLength(0);
    });

    it("passes the client's anthropic-beta header to Anthropic", async () => {
      const betaClient = new OpenAI({
        apiKey: gatewayKey,
        baseURL: `${stack.ingressUrls[0]}/v1`,
        maxRetries: 0,
        defaultHeaders: { 'anthropic-beta': 'prompt-caching-2024-07-31' },
      });
      await betaClient.chat.completions.create({ model: MODEL, messages: [{ role: 'user', content: 'beta by default' }] });
      expect(fake.requests[fake.requests.length - 1].headers['anthropic-beta']).toBe('prompt-caching-2024-07-31');

      const stream = await client.chat.completions.create(
        { model: MODEL, messages: [{ role: 'user', content: 'beta per request' }], stream: true },
        { headers: { 'anthropic-beta': 'token-efficient-tools-2025-02-19' } },
      );
      for await (const chunk of stream) responses.push(JSON.stringify(chunk));
      expect(fake.requests[fake.requests.length - 1].headers['anthropic-beta']).toBe('token-efficient-tools-2025-02-19');

      await client.chat.completions.create({ model: MODEL, messages: [{ role: 'user', content: 'no beta' }] });
      expect(fake.requests[fake.requests.length - 1].headers['anthropic-beta']).toBeUndefined();
    });

    it('answers 529 overloaded, after the retries, with a 502 OpenAI-shaped error', async () => {
      fake.setScenario({ kind: 'http_error', status: 529 });
      const from = fake.requests.length;
      const response = await fetch(`${stack.ingressUrls[0]}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${gatewayKey}` },
        body: JSON.stringify({ model: MODEL, messages: [{ role: 'user', content: 'are you there?' }] }),
      });
      const text = await response.text();
      responses.push(text);
      expect(response.status).toBe(502);
      const error = (JSON.parse(text) as { error: Record<string, unknown> }).error;
      expect(Object.keys(error).sort()).toEqual(['code', 'message', 'param', 'type']);
      expect(error.type).toBe('api_error');
      expect(error.message).toContain('Overloaded');
      // Transient: the router tried again (MAX_RETRIES 2) before giving up.
      expect(receivedSince(from)).toHaveLength(3);
      expect(response.headers.get('x-gateway-attempts')).toBe('3');

      // The SDK sees the same as an APIError with status 502.
      const sdkFailure = await client.chat.completions
        .create({ model: MODEL, messages: [{ role: 'user', content: 'still there?' }] })
        .then(() => undefined, (e: unknown) => e);
      expect(sdkFailure).toBeInstanceOf(OpenAI.InternalServerError);
      expect((sdkFailure as InstanceType<typeof OpenAI.APIError>).status).toBe(502);
    });

    it('makes the SDK stream iterator throw on an error event after the first chunk', async () => {
      // message_start, content_block_start, ping, one text delta, then the error event.
      fake.setScenario({ kind: 'stream_error_event', afterEvents: 4, errorType: 'overloaded_error', message: 'Overloaded' }, 1);
      const from = fake.requests.length;
      const stream = await client.chat.completions.create({
        model: MODEL,
        messages: [{ role: 'user', content: 'Stream then fail' }],
        stream: true,
      });
      const chunks: OpenAI.ChatCompletionChunk[] = [];
      const failure = await (async () => {
        for await (const chunk of stream) {
          chunks.push(chunk);
          responses.push(JSON.stringify(chunk));
        }
      })().then(() => undefined, (error: unknown) => error);
      expect(chunks.length).toBeGreaterThanOrEqual(1);
      expect(chunks.map((chunk) => chunk.choices[0]?.delta?.content ?? '').join('')).toBe('Hello ');
      expect(failure).toBeInstanceOf(OpenAI.APIError);
      expect((failure as Error).message).toContain('Overloaded');
      // Once a chunk reached the client the request cannot be tried again.
      expect(receivedSince(from)).toHaveLength(1);
    });

    it('never writes the Anthropic key, the gateway key or the admin token to a log or a response', () => {
      const written = stack.logText() + responses.join('\n');
      const leaks: string[] = [];
      for (const secret of [ANTHROPIC_KEY, gatewayKey, stack.adminToken, stack.serviceCredentials.ingress, stack.serviceCredentials.router]) {
        for (let i = 0; i + 16 <= secret.length; i++) if (written.includes(secret.slice(i, i + 16))) leaks.push(`${secret.slice(0, 4)}…[${i}]`);
      }
      expect(leaks).toEqual([]);
      expect(stack.logText().length).toBeGreaterThan(0);
      expect(written.length).toBeGreaterThan(1000);
    });
  });

  /** Replays a recorded streaming body straight at the fake and returns the usage its events carry. */
  async function replayStreamUsage(baseUrl: string, body: unknown): Promise<{ input: number; output: number }> {
    const response = await fetch(`${baseUrl}/v1/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': ANTHROPIC_KEY, 'anthropic-version': '2023-06-01' },
      body: JSON.stringify(body),
    });
    expect(response.status).toBe(200);
    const events = (await response.text())
      .split('\n')
      .filter((line) => line.startsWith('data: '))
      .map((line) => JSON.parse(line.slice('data: '.length)) as { type: string; message?: { usage: Record<string, number> }; usage?: Record<string, number> });
    const start = events.find((event) => event.type === 'message_start')?.message?.usage ?? {};
    const delta = events.find((event) => event.type === 'message_delta')?.usage ?? {};
    return {
      input: (start.input_tokens ?? 0) + (start.cache_creation_input_tokens ?? 0) + (start.cache_read_input_tokens ?? 0),
      output: delta.output_tokens ?? 0,
    };
  }
});
