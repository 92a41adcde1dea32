// Issue 20 end to end: the official @anthropic-ai/sdk → ingress /v1/messages → router → the
// Anthropic adapter (passthrough) or, for other kinds, the Messages decorator over their adapter →
// fake Anthropic / fake OpenAI APIs that follow the published wire formats.
import Anthropic from '@anthropic-ai/sdk';
import type { NatsConnection } from '@nats-io/nats-core';
import { connect } from '@nats-io/transport-node';
import { UsageEvent } from '@ai-gateway/proto';
import {
  ADAPTER_MODES,
  expectEventually,
  FAKE_BEDROCK_CREDENTIALS,
  startFakeAnthropic,
  startFakeBedrock,
  startFakeOpenAi,
  startGatewayStack,
  type FakeAnthropic,
  type FakeBedrock,
  type FakeOpenAi,
  type GatewayStack,
} from '@ai-gateway/testing';

const ANTHROPIC_KEY = 'sk-ant-api03-e2eMessagesKey0123456789abcdefXYZ';
const OPENAI_KEY = 'sk-proj-e2eMessagesOpenAiKey0123456789abcdefXYZ';
const MODEL = 'claude-sonnet-4';
const PROVIDER_MODEL = 'claude-sonnet-4-20250514';
const FALLBACK_MODEL = 'claude-3-5-haiku';
const CACHED_PROMPT_TOKENS = 4;
/** Prompt-cache reads and writes the fake Anthropic reports with every answer. */
const ANTHROPIC_CACHE = { read: 96, write: 32 };
/** A small body limit, so the oversized case stays cheap. */
const MAX_BODY_BYTES = 256 * 1024;
const PNG_BASE64 = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==';
const WEATHER_TOOL: Anthropic.Tool = {
  name: 'get_weather',
  description: 'The weather in a city',
  input_schema: { type: 'object', properties: { city: { type: 'string' }, days: { type: 'integer' } }, required: ['city'] },
};
// What each fake answers for this schema (sampled by property type).
const ANTHROPIC_WEATHER_INPUT = { city: 'example city', days: 1 };
const OPENAI_WEATHER_INPUT = { city: 'example city', days: 1 };
const THINKING = { type: 'enabled', budget_tokens: 1024 } as const;

type Body = Record<string, unknown> & { model: string; messages: Array<{ role: string; content: unknown }> };

describe.each(ADAPTER_MODES)('/v1/messages end to end with the official Anthropic SDK, %s adapters', (adapterMode) => {
  let anthropicFake: FakeAnthropic;
  let openaiFake: FakeOpenAi;
  let bedrockFake: FakeBedrock;
  let stack: GatewayStack;
  let gatewayKey: string;
  let client: Anthropic;
  let nc: NatsConnection;
  const events: UsageEvent[] = [];
  const responses: string[] = [];

  const lastAnthropicBody = (): Body => anthropicFake.requests[anthropicFake.requests.length - 1].body as Body;
  const lastOpenAiBody = (): Body => openaiFake.requests[openaiFake.requests.length - 1].body as Body;
  const raw = (path: string, init: { headers?: Record<string, string>; body?: unknown; method?: string }) =>
    fetch(`${stack.ingressUrls[0]}${path}`, {
      method: init.method ?? 'POST',
      headers: { 'content-type': 'application/json', ...init.headers },
      ...(init.body !== undefined ? { body: typeof init.body === 'string' ? init.body : JSON.stringify(init.body) } : {}),
    });
  const eventsOf = (requestId: string | null) => events.filter((event) => event.requestId === requestId);

  beforeAll(async () => {
    anthropicFake = await startFakeAnthropic({ validApiKeys: [ANTHROPIC_KEY], cacheTokens: ANTHROPIC_CACHE });
    openaiFake = await startFakeOpenAi({ validKeys: [OPENAI_KEY], cachedPromptTokens: CACHED_PROMPT_TOKENS });
    bedrockFake = await startFakeBedrock();
    stack = await startGatewayStack({
      anthropicBaseUrl: anthropicFake.url,
      openaiBaseUrl: openaiFake.baseUrl,
      routerEnv: { MAX_RETRIES: '0', BREAKER_FAILURES: '1000' },
      env: { RETRY_AFTER_MAX_MS: '0', MAX_BODY_BYTES: String(MAX_BODY_BYTES) },
      adapterMode,
    });
    expect((await stack.admin('POST', '/admin/v1/provider-keys', { provider: 'anthropic', key: ANTHROPIC_KEY })).status).toBe(201);
    expect((await stack.admin('POST', '/admin/v1/provider-keys', { provider: 'openai', key: OPENAI_KEY })).status).toBe(201);
    const created = await stack.admin('POST', '/admin/v1/api-keys', { name: 'e2e-messages' });
    gatewayKey = (created.body as { key: string }).key;
    client = new Anthropic({ apiKey: gatewayKey, baseURL: stack.ingressUrls[0], maxRetries: 0 });
    nc = await connect({ servers: stack.nats.url });
    const subscription = nc.subscribe('gateway.usage.v1');
    void (async () => {
      for await (const message of subscription) events.push(UsageEvent.decode(message.data));
    })();
    await expectEventually(async () => expect((await client.models.list()).data.map((model) => model.id)).toContain(MODEL), 15_000);
  });

  afterEach(async () => {
    anthropicFake.setScenario({ kind: 'auto' });
    await stack.admin('PUT', '/admin/v1/routing/fallbacks', { fallbacks: {} });
  });

  afterAll(async () => {
    await nc?.close();
    await stack?.close();
    await anthropicFake?.close();
    await openaiFake?.close();
    await bedrockFake?.close();
  });

  describe('to an Anthropic-kind provider (passthrough)', () => {
    it('answers text; the body reaches Anthropic as sent, with the provider model id, the key and the client anthropic-version/beta', async () => {
      const { data: message, response } = await client.messages
        .create(
          { model: MODEL, max_tokens: 256, system: 'Be terse.', messages: [{ role: 'user', content: 'Say hello' }], metadata: { user_id: 'u-7' } },
          { headers: { 'anthropic-beta': 'token-efficient-tools-2025-02-19' } },
        )
        .withResponse();
      responses.push(JSON.stringify(message));
      expect(message.type).toBe('message');
      expect(message.content).toEqual([{ type: 'text', text: 'Hello from the fake Anthropic model. You said: Say hello' }]);
      expect(response.headers.get('x-gateway-provider')).toBe('anthropic');
      const received = anthropicFake.requests[anthropicFake.requests.length - 1];
      expect(received.headers['x-api-key']).toBe(ANTHROPIC_KEY);
      expect(received.headers.authorization).toBeUndefined();
      expect(received.headers['anthropic-beta']).toBe('token-efficient-tools-2025-02-19');
      expect(received.headers['anthropic-version']).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      expect(received.body).toEqual({ model: PROVIDER_MODEL, max_tokens: 256, system: 'Be terse.', messages: [{ role: 'user', content: 'Say hello' }], metadata: { user_id: 'u-7' } });
      const [event] = await expectEventually(() => {
        const found = eventsOf(response.headers.get('x-gateway-request-id'));
        expect(found).toHaveLength(1);
        return found;
      });
      expect(Number(event.usage?.promptTokens)).toBe(message.usage.input_tokens + ANTHROPIC_CACHE.read + ANTHROPIC_CACHE.write);
      expect(Number(event.usage?.cachedPromptTokens)).toBe(ANTHROPIC_CACHE.read);
      expect(Number(event.usage?.completionTokens)).toBe(message.usage.output_tokens);
    });

    it('accepts the gateway key as x-api-key and forwards anthropic-version unchanged', async () => {
      const answer = await raw('/v1/messages', {
        headers: { 'x-api-key': gatewayKey, 'anthropic-version': '2023-06-01' },
        body: { model: MODEL, max_tokens: 32, messages: [{ role: 'user', content: 'hi' }] },
      });
      expect(answer.status).toBe(200);
      expect(anthropicFake.requests[anthropicFake.requests.length - 1].headers['anthropic-version']).toBe('2023-06-01');
    });

    it('streams text the SDK assembles, with usage, and exactly one usage event with the same numbers', async () => {
      const stream = client.messages.stream({ model: MODEL, max_tokens: 256, messages: [{ role: 'user', content: 'Stream please' }] });
      const message = await stream.finalMessage();
      responses.push(JSON.stringify(message));
      expect(message.content).toEqual([{ type: 'text', text: 'Hello from the fake Anthropic model. You said: Stream please' }]);
      expect(message.stop_reason).toBe('end_turn');
      expect(message.usage.input_tokens).toBeGreaterThan(0);
      const requestId = (await stream.withResponse()).response.headers.get('x-gateway-request-id');
      const [event] = await expectEventually(() => {
        const found = eventsOf(requestId);
        expect(found).toHaveLength(1);
        return found;
      });
      expect(message.usage).toMatchObject({ cache_read_input_tokens: ANTHROPIC_CACHE.read, cache_creation_input_tokens: ANTHROPIC_CACHE.write });
      // As for an OpenAI-format call: prompt tokens count cache reads and writes, cached = the reads.
      expect(Number(event.usage?.promptTokens)).toBe(message.usage.input_tokens + ANTHROPIC_CACHE.read + ANTHROPIC_CACHE.write);
      expect(Number(event.usage?.cachedPromptTokens)).toBe(ANTHROPIC_CACHE.read);
      expect(Number(event.usage?.completionTokens)).toBe(message.usage.output_tokens);
      expect(event.operation).toBe('chat');
    });

    it('streams tool use whose input the SDK assembles from input_json_delta, then answers the tool result', async () => {
      const messages: Anthropic.MessageParam[] = [{ role: 'user', content: 'Weather in Paris?' }];
      const asked = await client.messages.stream({ model: MODEL, max_tokens: 256, tools: [WEATHER_TOOL], tool_choice: { type: 'auto', disable_parallel_tool_use: true }, messages }).finalMessage();
      responses.push(JSON.stringify(asked));
      expect(asked.stop_reason).toBe('tool_use');
      const toolUse = asked.content.find((block) => block.type === 'tool_use');
      expect(toolUse).toMatchObject({ type: 'tool_use', name: 'get_weather', input: ANTHROPIC_WEATHER_INPUT });
      const answered = await client.messages.create({
        model: MODEL,
        max_tokens: 256,
        tools: [WEATHER_TOOL],
        messages: [...messages, { role: 'assistant', content: asked.content }, { role: 'user', content: [{ type: 'tool_result', tool_use_id: (toolUse as Anthropic.ToolUseBlock).id, content: '18°C' }] }],
      });
      expect(answered.content).toEqual([{ type: 'text', text: 'Thanks, the tool said: 18°C.' }]);
    });

    it('sends an image block through unchanged', async () => {
      const image = { type: 'image' as const, source: { type: 'base64' as const, media_type: 'image/png' as const, data: PNG_BASE64 } };
      await client.messages.create({ model: MODEL, max_tokens: 64, messages: [{ role: 'user', content: [image, { type: 'text', text: 'What is this?' }] }] });
      expect(lastAnthropicBody().messages[0].content).toEqual([image, { type: 'text', text: 'What is this?' }]);
    });

    it('keeps a thinking block and its signature on a round trip to the same model', async () => {
      const first = await client.messages.stream({ model: MODEL, max_tokens: 2048, thinking: THINKING, messages: [{ role: 'user', content: 'Think first' }] }).finalMessage();
      const thinking = first.content[0];
      expect(thinking.type).toBe('thinking');
      expect(thinking.type === 'thinking' && thinking.signature.length).toBeGreaterThan(20);
      const second = await client.messages.create({
        model: MODEL,
        max_tokens: 2048,
        thinking: THINKING,
        messages: [{ role: 'user', content: 'Think first' }, { role: 'assistant', content: first.content }, { role: 'user', content: 'Again' }],
      });
      expect(second.content[0].type).toBe('thinking');
      expect(lastAnthropicBody().messages[1].content).toEqual(first.content);
    });

    it('strips signed thinking before falling back to another model, which then answers', async () => {
      const first = await client.messages.create({ model: MODEL, max_tokens: 2048, thinking: THINKING, messages: [{ role: 'user', content: 'Think' }] });
      await stack.admin('PUT', '/admin/v1/routing/fallbacks', { fallbacks: { [MODEL]: [FALLBACK_MODEL] } });
      anthropicFake.setScenario({ kind: 'http_error', status: 529 }, 1);
      const { data: answer, response } = await client.messages
        .create({ model: MODEL, max_tokens: 2048, thinking: THINKING, messages: [{ role: 'user', content: 'Think' }, { role: 'assistant', content: first.content }, { role: 'user', content: 'More' }] })
        .withResponse();
      expect(response.headers.get('x-gateway-model')).toBe('claude-3-5-haiku-20241022');
      expect(answer.content.some((block) => block.type === 'thinking')).toBe(false);
      const sent = lastAnthropicBody();
      expect(sent.model).toBe('claude-3-5-haiku-20241022');
      expect(sent.thinking).toBeUndefined();
      expect(JSON.stringify(sent.messages)).not.toContain('signature');
    });

    it('counts tokens without calling a provider', async () => {
      const before = anthropicFake.requests.length + openaiFake.requests.length;
      const counted = await client.messages.countTokens({ model: MODEL, messages: [{ role: 'user', content: 'x'.repeat(400) }] });
      expect(counted.input_tokens).toBe(104);
      expect(anthropicFake.requests.length + openaiFake.requests.length).toBe(before);
      // Answered by the gateway, still metered: one usage event per call.
      await expectEventually(() => expect(events.filter((event) => event.operation === 'count_tokens' && event.outcome === 'success')).toHaveLength(1));
    });

    it('lists models in Anthropic format for the SDK', async () => {
      const page = await client.models.list();
      expect(page.data.find((model) => model.id === MODEL)).toMatchObject({ type: 'model', id: MODEL });
    });
  });

  describe('errors in Anthropic shape', () => {
    it('401 for an unknown key', async () => {
      const bad = new Anthropic({ apiKey: 'sk-gw-not-a-key', baseURL: stack.ingressUrls[0], maxRetries: 0 });
      await expect(bad.messages.create({ model: MODEL, max_tokens: 5, messages: [{ role: 'user', content: 'x' }] })).rejects.toMatchObject({
        status: 401,
        error: { type: 'error', error: { type: 'authentication_error' } },
      });
      // Turned away before routing, still metered: one usage event.
      await expectEventually(() => expect(events.filter((event) => event.httpStatus === 401 && event.operation === 'chat')).toHaveLength(1));
    });

    it('404 not_found_error for a model no provider serves', async () => {
      await expect(client.messages.create({ model: 'no-such-model', max_tokens: 5, messages: [{ role: 'user', content: 'x' }] })).rejects.toMatchObject({
        status: 404,
        error: { type: 'error', error: { type: 'not_found_error', message: expect.stringContaining('no-such-model') } },
      });
    });

    it('gives the SDK the request id where it reads it (the request-id header): on an error as APIError.requestID, on an answer as _request_id', async () => {
      const error = (await client.messages.create({ model: 'no-such-model', max_tokens: 5, messages: [{ role: 'user', content: 'x' }] }).catch((e: unknown) => e)) as InstanceType<typeof Anthropic.APIError>;
      expect(error.requestID).toMatch(/^req_[0-9a-f]{32}$/);
      expect((error.error as { request_id?: string }).request_id).toBe(error.requestID);
      const answered = await client.messages.create({ model: MODEL, max_tokens: 16, messages: [{ role: 'user', content: 'Say hello' }] });
      expect(answered._request_id).toMatch(/^req_[0-9a-f]{32}$/);
      const stream = await raw('/v1/messages', { headers: { 'x-api-key': gatewayKey }, body: { model: MODEL, max_tokens: 16, stream: true, messages: [{ role: 'user', content: 'Say hello' }] } });
      expect(stream.headers.get('request-id')).toBe(stream.headers.get('x-gateway-request-id'));
      await stream.text();
    });

    it('400 for a request without max_tokens, and for bad JSON', async () => {
      const missing = await raw('/v1/messages', { headers: { 'x-api-key': gatewayKey }, body: { model: MODEL, messages: [{ role: 'user', content: 'x' }] } });
      expect(missing.status).toBe(400);
      expect(await missing.json()).toMatchObject({ type: 'error', error: { type: 'invalid_request_error', message: expect.stringContaining('max_tokens') } });
      const broken = await raw('/v1/messages', { headers: { 'x-api-key': gatewayKey }, body: '{"model":' });
      expect(broken.status).toBe(400);
      expect(await broken.json()).toMatchObject({ type: 'error', error: { type: 'invalid_request_error' } });
    });

    it('413 for a body over MAX_BODY_BYTES and 400 for JSON nested too deep, in Anthropic shape', async () => {
      const deep = `{"model":"${MODEL}","max_tokens":5,"messages":[{"role":"user","content":"x"}],"metadata":${'['.repeat(200)}${']'.repeat(200)}}`;
      const tooDeep = await raw('/v1/messages', { headers: { 'x-api-key': gatewayKey }, body: deep });
      expect(tooDeep.status).toBe(400);
      expect(await tooDeep.json()).toMatchObject({ type: 'error', error: { type: 'invalid_request_error' } });
      const huge = await raw('/v1/messages', { headers: { 'x-api-key': gatewayKey }, body: `{"model":"${MODEL}","max_tokens":5,"messages":[{"role":"user","content":"${'x'.repeat(MAX_BODY_BYTES)}"}]}` });
      expect(huge.status).toBe(413);
      expect(await huge.json()).toMatchObject({ type: 'error', error: { type: 'request_too_large' } });
    });

    it('403 for a model the key may not use', async () => {
      const limited = await stack.admin('POST', '/admin/v1/api-keys', { name: 'e2e-messages-limited', allowedModels: ['gpt-4o'] });
      const limitedClient = new Anthropic({ apiKey: (limited.body as { key: string }).key, baseURL: stack.ingressUrls[0], maxRetries: 0 });
      await expectEventually(async () => {
        await expect(limitedClient.messages.create({ model: MODEL, max_tokens: 5, messages: [{ role: 'user', content: 'x' }] })).rejects.toMatchObject({
          status: 403,
          error: { type: 'error', error: { type: 'permission_error' } },
        });
      });
    });

    it('429 rate_limit_error with Retry-After when the gateway key is over its own RPM limit', async () => {
      const limited = await stack.admin('POST', '/admin/v1/api-keys', { name: 'e2e-messages-rpm', limits: { rpm: 1 } });
      const limitedKey = (limited.body as { key: string }).key;
      const ask = { model: 'gpt-4o', max_tokens: 8, messages: [{ role: 'user', content: 'x' }] };
      await expectEventually(async () => expect((await raw('/v1/messages', { headers: { 'x-api-key': limitedKey }, body: ask })).status).toBe(200));
      const refused = await raw('/v1/messages', { headers: { 'x-api-key': limitedKey }, body: ask });
      expect(refused.status).toBe(429);
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(await refused.json()).toMatchObject({ type: 'error', error: { type: 'rate_limit_error' } });
    });

    it('529 overloaded_error when the provider is overloaded and no fallback is left', async () => {
      anthropicFake.setScenario({ kind: 'http_error', status: 529 });
      await expect(client.messages.create({ model: MODEL, max_tokens: 5, messages: [{ role: 'user', content: 'x' }] })).rejects.toMatchObject({
        status: 529,
        error: { type: 'error', error: { type: 'overloaded_error' } },
      });
    });

    it('an error event ends a stream that already sent content', async () => {
      anthropicFake.setScenario({ kind: 'stream_error_event', errorType: 'overloaded_error', afterEvents: 5 }, 1);
      const stream = client.messages.stream({ model: MODEL, max_tokens: 256, messages: [{ role: 'user', content: 'A long story please' }] });
      await expect(stream.finalMessage()).rejects.toThrow(/Overloaded|overloaded/);
    });
  });

  describe('to an OpenAI-kind provider (translated)', () => {
    it('answers text, with usage reporting cache reads as Anthropic does', async () => {
      const { data: message, response } = await client.messages.create({ model: 'gpt-4o', max_tokens: 64, system: 'Be terse.', messages: [{ role: 'user', content: 'Hello' }] }).withResponse();
      responses.push(JSON.stringify(message));
      expect(response.headers.get('x-gateway-provider')).toBe('openai');
      expect(message.content).toEqual([{ type: 'text', text: 'Hello from the fake provider.' }]);
      expect(message.stop_reason).toBe('end_turn');
      expect(message.usage.cache_read_input_tokens).toBe(CACHED_PROMPT_TOKENS);
      expect(lastOpenAiBody()).toMatchObject({ model: 'gpt-4o', max_completion_tokens: 64, messages: [{ role: 'system', content: 'Be terse.' }, { role: 'user', content: 'Hello' }] });
      const [event] = await expectEventually(() => {
        const found = eventsOf(response.headers.get('x-gateway-request-id'));
        expect(found).toHaveLength(1);
        return found;
      });
      expect(Number(event.usage?.promptTokens)).toBe(message.usage.input_tokens + CACHED_PROMPT_TOKENS);
      expect(Number(event.usage?.cachedPromptTokens)).toBe(CACHED_PROMPT_TOKENS);
    });

    it('streams text as Anthropic events the SDK assembles', async () => {
      const message = await client.messages.stream({ model: 'gpt-4o', max_tokens: 64, messages: [{ role: 'user', content: 'Hello' }] }).finalMessage();
      expect(message.content).toEqual([{ type: 'text', text: 'Hello from the fake provider.' }]);
      expect(message.usage.output_tokens).toBeGreaterThan(0);
      expect(message.usage.cache_read_input_tokens).toBe(CACHED_PROMPT_TOKENS);
    });

    it('streams a tool call whose input the SDK assembles, then answers the tool result', async () => {
      const messages: Anthropic.MessageParam[] = [{ role: 'user', content: 'Weather in Paris?' }];
      const asked = await client.messages.stream({ model: 'gpt-4o', max_tokens: 64, tools: [WEATHER_TOOL], messages }).finalMessage();
      responses.push(JSON.stringify(asked));
      expect(asked.stop_reason).toBe('tool_use');
      const toolUse = asked.content.find((block) => block.type === 'tool_use') as Anthropic.ToolUseBlock;
      expect(toolUse).toMatchObject({ name: 'get_weather', input: OPENAI_WEATHER_INPUT });
      const answered = await client.messages.create({
        model: 'gpt-4o',
        max_tokens: 64,
        tools: [WEATHER_TOOL],
        messages: [...messages, { role: 'assistant', content: asked.content }, { role: 'user', content: [{ type: 'tool_result', tool_use_id: toolUse.id, content: '18°C' }] }],
      });
      expect(answered.content).toEqual([{ type: 'text', text: 'The tool said: 18°C' }]);
      expect(lastOpenAiBody().messages.slice(-2)).toEqual([
        { role: 'assistant', content: null, tool_calls: [{ id: toolUse.id, type: 'function', function: { name: 'get_weather', arguments: JSON.stringify(OPENAI_WEATHER_INPUT) } }] },
        { role: 'tool', tool_call_id: toolUse.id, content: '18°C' },
      ]);
    });

    it('sends an image as an image_url data URI and drops thinking history', async () => {
      await client.messages.create({
        model: 'gpt-4o',
        max_tokens: 64,
        messages: [
          { role: 'user', content: 'Hi' },
          { role: 'assistant', content: [{ type: 'thinking', thinking: 'Hmm', signature: 'c2lnbmVk' }, { type: 'text', text: 'Hello' }] },
          { role: 'user', content: [{ type: 'image', source: { type: 'base64', media_type: 'image/png', data: PNG_BASE64 } }, { type: 'text', text: 'What is this?' }] },
        ],
      });
      const sent = lastOpenAiBody();
      expect(sent.messages[1]).toEqual({ role: 'assistant', content: 'Hello' });
      expect(sent.messages[2].content).toEqual([{ type: 'image_url', image_url: { url: `data:image/png;base64,${PNG_BASE64}` } }, { type: 'text', text: 'What is this?' }]);
    });

    it('sends a system turn between messages as an OpenAI system message, and refuses max_tokens 0 (a cache fill only Anthropic has) with a 400', async () => {
      await client.messages.create({
        model: 'gpt-4o',
        max_tokens: 16,
        messages: [
          { role: 'user', content: 'Hi' },
          { role: 'system', content: 'From now on, answer in French.' },
          { role: 'user', content: 'Hello?' },
        ],
      });
      expect(lastOpenAiBody().messages).toEqual([
        { role: 'user', content: 'Hi' },
        { role: 'system', content: 'From now on, answer in French.' },
        { role: 'user', content: 'Hello?' },
      ]);
      await expect(client.messages.create({ model: 'gpt-4o', max_tokens: 0, messages: [{ role: 'user', content: 'warm the cache' }] })).rejects.toMatchObject({
        status: 400,
        error: { type: 'error', error: { type: 'invalid_request_error', message: expect.stringContaining('max_tokens') } },
      });
    });

    it("sends a tool result's image (a coding agent's screenshot) as a user image after the tool message", async () => {
      const answered = await client.messages.create({
        model: 'gpt-4o',
        max_tokens: 64,
        messages: [
          { role: 'user', content: 'Take a screenshot.' },
          { role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_shot', name: 'screenshot', input: {} }] },
          { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_shot', content: [{ type: 'image', source: { type: 'base64', media_type: 'image/png', data: PNG_BASE64 } }] }] },
        ],
      });
      expect(answered.content.length).toBeGreaterThan(0);
      expect(lastOpenAiBody().messages.slice(-2)).toEqual([
        { role: 'tool', tool_call_id: 'toolu_shot', content: '(an image, in the next user message)' },
        { role: 'user', content: [{ type: 'text', text: 'Images returned by tool call toolu_shot:' }, { type: 'image_url', image_url: { url: `data:image/png;base64,${PNG_BASE64}` } }] },
      ]);
    });

    it('falls back to OpenAI when the Anthropic stream reports overloaded before its first content', async () => {
      await stack.admin('PUT', '/admin/v1/routing/fallbacks', { fallbacks: { [MODEL]: ['gpt-4o'] } });
      // message_start, then the error event: nothing the client acts on was sent yet.
      anthropicFake.setScenario({ kind: 'stream_error_event', errorType: 'overloaded_error', afterEvents: 1 }, 1);
      const stream = client.messages.stream({ model: MODEL, max_tokens: 64, messages: [{ role: 'user', content: 'Anyone there?' }] });
      const message = await stream.finalMessage();
      const { response } = await stream.withResponse();
      expect(response.headers.get('x-gateway-provider')).toBe('openai');
      expect(message.content).toEqual([{ type: 'text', text: 'Hello from the fake provider.' }]);
    });

    it('closes a passthrough stream whose body ended after the stop reason without message_stop', async () => {
      anthropicFake.setScenario({ kind: 'no_message_stop' }, 1);
      const answer = await raw('/v1/messages', {
        headers: { 'x-api-key': gatewayKey },
        body: { model: MODEL, max_tokens: 64, stream: true, messages: [{ role: 'user', content: 'hi' }] },
      });
      const text = await answer.text();
      expect(text.match(/^event: message_stop$/gm)).toHaveLength(1);
      expect(text.trimEnd().endsWith('data: {"type":"message_stop"}')).toBe(true);
    });

    it('falls back from an overloaded Anthropic to OpenAI mid-outage, answering in Anthropic format', async () => {
      await stack.admin('PUT', '/admin/v1/routing/fallbacks', { fallbacks: { [MODEL]: ['gpt-4o'] } });
      anthropicFake.setScenario({ kind: 'http_error', status: 529 });
      const stream = client.messages.stream({ model: MODEL, max_tokens: 64, messages: [{ role: 'user', content: 'Anyone there?' }] });
      const message = await stream.finalMessage();
      const { response } = await stream.withResponse();
      expect(response.headers.get('x-gateway-provider')).toBe('openai');
      expect(response.headers.get('x-gateway-attempts')).toBe('2');
      expect(message.content).toEqual([{ type: 'text', text: 'Hello from the fake provider.' }]);
    });
  });

  describe('to a Bedrock provider (translated: Messages → chat → Converse)', () => {
    const pinned = { model: 'bedrock/claude-3-5-sonnet', max_tokens: 8, messages: [{ role: 'user', content: 'x' }] };
    // Bedrock serves Claude models too: enabled for these cases only, so it is no candidate elsewhere.
    beforeAll(async () => {
      const provider = { kind: 'bedrock', baseUrl: bedrockFake.url, region: bedrockFake.region, enabled: true, confirmKeyRedirect: true };
      expect([200, 201]).toContain((await stack.admin('PUT', '/admin/v1/providers/bedrock', provider)).status);
      expect((await stack.admin('POST', '/admin/v1/provider-keys', { provider: 'bedrock', key: JSON.stringify(FAKE_BEDROCK_CREDENTIALS) })).status).toBe(201);
    });
    afterAll(async () => {
      await stack.admin('PUT', '/admin/v1/providers/bedrock', { enabled: false });
      await expectEventually(async () => expect((await raw('/v1/messages', { headers: { 'x-api-key': gatewayKey }, body: pinned })).status).not.toBe(200));
    });

    it('answers Claude on Bedrock, pinned, and streams a tool call the SDK assembles', async () => {
      await expectEventually(async () => {
        const { data: message, response } = await client.messages.create({ model: 'bedrock/claude-3-5-sonnet', max_tokens: 64, messages: [{ role: 'user', content: 'Say hello' }] }).withResponse();
        expect(response.headers.get('x-gateway-provider')).toBe('bedrock');
        expect(message).toMatchObject({ type: 'message', content: [{ type: 'text', text: 'Hello from the fake Bedrock model.' }], stop_reason: 'end_turn' });
      });
      const asked = await client.messages
        .stream({ model: 'bedrock/claude-3-5-sonnet', max_tokens: 64, tools: [WEATHER_TOOL], messages: [{ role: 'user', content: 'Weather in Paris?' }] })
        .finalMessage();
      responses.push(JSON.stringify(asked));
      expect(asked.stop_reason).toBe('tool_use');
      const toolUse = asked.content.find((block) => block.type === 'tool_use') as Anthropic.ToolUseBlock;
      expect(toolUse.name).toBe('get_weather');
      expect(typeof toolUse.input).toBe('object');
      expect(Object.keys(toolUse.input as object)).toEqual(expect.arrayContaining(['city']));
    });
  });

  // Last of the calls to Anthropic: a 429 cools the key for its Retry-After (30 s here).
  it('429 with retry-after when the provider rate-limits', async () => {
    anthropicFake.setScenario({ kind: 'http_error', status: 429, retryAfterSeconds: 30 });
    const failure = await client.messages.create({ model: MODEL, max_tokens: 5, messages: [{ role: 'user', content: 'x' }] }).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(Anthropic.RateLimitError);
    expect((failure as InstanceType<typeof Anthropic.RateLimitError>).headers?.get('retry-after')).toBe('30');
    expect((failure as { error: unknown }).error).toMatchObject({ type: 'error', error: { type: 'rate_limit_error' } });
  });

  it('never writes a provider key, the gateway key or the admin token to a log, a response or a usage event', () => {
    const written = stack.logText() + responses.join('\n') + events.map((event) => JSON.stringify(event, (_key, value: unknown) => (typeof value === 'bigint' ? String(value) : value))).join('\n');
    const leaks: string[] = [];
    for (const secret of [ANTHROPIC_KEY, OPENAI_KEY, gatewayKey, stack.adminToken, stack.serviceCredentials.ingress, stack.serviceCredentials.router]) {
      for (let i = 0; i + 16 <= secret.length; i++) if (written.includes(secret.slice(i, i + 16))) leaks.push(`${secret.slice(0, 4)}…[${i}]`);
    }
    expect(leaks).toEqual([]);
    expect(written.length).toBeGreaterThan(1000);
  });
});
