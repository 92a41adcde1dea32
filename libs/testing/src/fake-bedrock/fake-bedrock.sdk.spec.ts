import {
  BedrockRuntimeClient,
  ConverseCommand,
  ConverseStreamCommand,
  InvokeModelCommand,
  type ConverseCommandInput,
  type ConverseStreamOutput,
} from '@aws-sdk/client-bedrock-runtime';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { FAKE_BEDROCK_API_KEY, FAKE_BEDROCK_CREDENTIALS, startFakeBedrock, type FakeBedrock, type FakeBedrockScenario } from './index';

// The official AWS SDK pointed at the fake: it signs every request (the fake recomputes the
// signature), and it must parse every answer and every stream frame the fake emits.

const MODEL = 'anthropic.claude-3-5-sonnet-20241022-v2:0';
const PROFILE_ARN = 'arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.anthropic.claude-3-5-haiku-20241022-v1:0';
const WEATHER_TOOL = { toolSpec: { name: 'get_weather', inputSchema: { json: { type: 'object', properties: { city: { type: 'string' } } } } } };
const TIME_TOOL = { toolSpec: { name: 'get_time', inputSchema: { json: { type: 'object', properties: {} } } } };
const hello: ConverseCommandInput = { modelId: MODEL, messages: [{ role: 'user', content: [{ text: 'Hi there' }] }] };

describe('startFakeBedrock, read by @aws-sdk/client-bedrock-runtime', () => {
  let fake: FakeBedrock;
  const client = (credentials: typeof FAKE_BEDROCK_CREDENTIALS | { accessKeyId: string; secretAccessKey: string } = FAKE_BEDROCK_CREDENTIALS): BedrockRuntimeClient =>
    new BedrockRuntimeClient({ region: fake.region, endpoint: fake.url, credentials, requestHandler: new NodeHttpHandler(), maxAttempts: 1 });

  const streamed = async (input: ConverseCommandInput, sdk = client()): Promise<ConverseStreamOutput[]> => {
    const { stream } = await sdk.send(new ConverseStreamCommand(input));
    const events: ConverseStreamOutput[] = [];
    for await (const event of stream ?? []) events.push(event);
    return events;
  };

  beforeEach(async () => {
    fake = await startFakeBedrock();
  });
  afterEach(async () => {
    await fake.close();
  });

  it('answers Converse with a text message, stop reason and usage including cache tokens, signed with a session token', async () => {
    const answer = await client().send(new ConverseCommand({ ...hello, system: [{ text: 'Be brief.' }], inferenceConfig: { maxTokens: 50 } }));
    expect(answer.output?.message?.content).toEqual([{ text: 'Hello from the fake Bedrock model.' }]);
    expect(answer.stopReason).toBe('end_turn');
    expect(answer.usage).toMatchObject({ inputTokens: 13, outputTokens: 10, cacheReadInputTokens: 3, cacheWriteInputTokens: 2 });
    expect(answer.$metadata.requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(fake.requests[0]).toMatchObject({ modelId: MODEL, operation: 'converse', auth: 'sigv4' });
    expect(fake.requests[0].headers['x-amz-security-token']).toBe(FAKE_BEDROCK_CREDENTIALS.sessionToken);
  });

  it('decodes an inference-profile ARN from the encoded path segment', async () => {
    await client().send(new ConverseCommand({ ...hello, modelId: PROFILE_ARN }));
    expect(fake.requests[0].modelId).toBe(PROFILE_ARN);
    expect(fake.requests[0].path).toContain('arn%3Aaws%3Abedrock');
  });

  it('answers a tool request with toolUse blocks the SDK reads, and a tool result with text', async () => {
    const answer = await client().send(new ConverseCommand({ ...hello, toolConfig: { tools: [WEATHER_TOOL] } }));
    expect(answer.stopReason).toBe('tool_use');
    const toolUse = answer.output?.message?.content?.find((block) => block.toolUse)?.toolUse;
    expect(toolUse).toMatchObject({ name: 'get_weather', input: { city: 'Paris', unit: 'celsius' } });
    const toolUseId = toolUse?.toolUseId ?? '';
    expect(toolUseId).toMatch(/^tooluse_/);
    const followUp = await client().send(
      new ConverseCommand({
        ...hello,
        toolConfig: { tools: [WEATHER_TOOL] },
        messages: [
          ...(hello.messages ?? []),
          { role: 'assistant', content: [{ toolUse: { toolUseId: toolUseId, name: 'get_weather', input: {} } }] },
          { role: 'user', content: [{ toolResult: { toolUseId: toolUseId, content: [{ text: 'sunny' }] } }] },
        ],
      }),
    );
    expect(followUp.output?.message?.content).toEqual([{ text: 'The tool says it is sunny.' }]);
  });

  it('streams text deltas, messageStop and metadata usage as ConverseStream events', async () => {
    const events = await streamed(hello);
    expect(events[0]).toEqual({ messageStart: { role: 'assistant' } });
    const text = events.flatMap((event) => (event.contentBlockDelta?.delta?.text ? [event.contentBlockDelta.delta.text] : [])).join('');
    expect(text).toBe('Hello from the fake Bedrock model.');
    expect(events.some((event) => event.contentBlockStop?.contentBlockIndex === 0)).toBe(true);
    expect(events.at(-2)).toEqual({ messageStop: { stopReason: 'end_turn' } });
    expect(events.at(-1)?.metadata?.usage).toMatchObject({ inputTokens: 13, outputTokens: 10, cacheReadInputTokens: 3 });
  });

  it('streams two tool calls as contentBlockStart with id and name, then partial JSON input strings', async () => {
    fake.setScenario({ kind: 'tool_use', toolCount: 2 }, 1);
    const events = await streamed({ ...hello, toolConfig: { tools: [WEATHER_TOOL, TIME_TOOL] } });
    const starts = events.flatMap((event) => (event.contentBlockStart?.start?.toolUse ? [event.contentBlockStart] : []));
    expect(starts.map((start) => start.start?.toolUse?.name)).toEqual(['get_weather', 'get_time']);
    for (const start of starts) {
      const input = events
        .flatMap((event) => {
          const delta = event.contentBlockDelta;
          if (!delta || delta.contentBlockIndex !== start.contentBlockIndex) return [];
          return delta.delta?.toolUse ? [delta.delta.toolUse.input] : [];
        })
        .join('');
      expect(JSON.parse(input)).toHaveProperty('unit', 'celsius');
    }
    expect(events.find((event) => event.messageStop)?.messageStop?.stopReason).toBe('tool_use');
  });

  it.each<[string, FakeBedrockScenario, string]>([
    ['throttlingException before any event', { kind: 'stream_exception', exceptionType: 'throttlingException', afterEvents: 0 }, 'ThrottlingException'],
    ['modelStreamErrorException mid-stream', { kind: 'stream_exception', exceptionType: 'modelStreamErrorException', afterEvents: 3 }, 'ModelStreamErrorException'],
    ['serviceUnavailableException mid-stream', { kind: 'stream_exception', exceptionType: 'serviceUnavailableException', afterEvents: 2 }, 'ServiceUnavailableException'],
  ])('emits an exception frame the SDK throws as its modelled error: %s', async (_name, scenario, errorName) => {
    fake.setScenario(scenario, 1);
    await expect(streamed(hello)).rejects.toMatchObject({ name: errorName });
  });

  it.each<[number, string]>([
    [429, 'ThrottlingException'],
    [400, 'ValidationException'],
    [503, 'ServiceUnavailableException'],
    [424, 'ModelErrorException'],
  ])('answers HTTP %i with x-amzn-errortype the SDK reads as %s', async (status, errorName) => {
    fake.setScenario({ kind: 'http_error', status }, 1);
    await expect(client().send(new ConverseCommand(hello))).rejects.toMatchObject({ name: errorName, $metadata: { httpStatusCode: status } });
  });

  it('refuses a signature made with the wrong secret with Bedrock 403 InvalidSignatureException', async () => {
    const wrong = { ...FAKE_BEDROCK_CREDENTIALS, secretAccessKey: `${FAKE_BEDROCK_CREDENTIALS.secretAccessKey.slice(0, -1)}x` };
    await expect(client(wrong).send(new ConverseCommand(hello))).rejects.toMatchObject({ name: 'InvalidSignatureException', $metadata: { httpStatusCode: 403 } });
    expect(fake.requests[0].auth).toBe('InvalidSignatureException');
  });

  it('refuses an unknown access key id with UnrecognizedClientException', async () => {
    const unknown = { accessKeyId: 'AKIAUNKNOWN000000000', secretAccessKey: FAKE_BEDROCK_CREDENTIALS.secretAccessKey };
    await expect(client(unknown).send(new ConverseCommand(hello))).rejects.toMatchObject({ name: 'UnrecognizedClientException' });
  });

  it('refuses a request whose body changed after signing', async () => {
    const sdk = client();
    sdk.middlewareStack.add(
      (next) => async (args) => {
        const request = args.request as { body: string | Uint8Array };
        const text = typeof request.body === 'string' ? request.body : new TextDecoder().decode(request.body);
        request.body = text.replace('Hi there', 'Hi thera');
        return next(args);
      },
      { step: 'finalizeRequest', priority: 'low', name: 'tamper' },
    );
    await expect(sdk.send(new ConverseCommand(hello))).rejects.toMatchObject({ name: 'InvalidSignatureException' });
  });

  it('accepts a Bedrock API key as a bearer token and refuses an unknown one', async () => {
    const bearer = async (token: string): Promise<Response> =>
      fetch(`${fake.url}/model/${encodeURIComponent(MODEL)}/converse`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ messages: hello.messages }),
      });
    expect((await bearer(FAKE_BEDROCK_API_KEY)).status).toBe(200);
    const refused = await bearer('ABSKnotakey');
    expect(refused.status).toBe(403);
    expect(refused.headers.get('x-amzn-errortype')).toMatch(/^UnrecognizedClientException:/);
  });

  it('answers InvokeModel for Titan and Cohere embedding models', async () => {
    const titan = await client().send(
      new InvokeModelCommand({ modelId: 'amazon.titan-embed-text-v2:0', contentType: 'application/json', body: JSON.stringify({ inputText: 'hello', dimensions: 4 }) }),
    );
    expect(JSON.parse(Buffer.from(titan.body).toString('utf8'))).toMatchObject({ embedding: expect.any(Array), inputTextTokenCount: 2 });
    const cohere = await client().send(
      new InvokeModelCommand({ modelId: 'cohere.embed-english-v3', contentType: 'application/json', body: JSON.stringify({ texts: ['a', 'b'], input_type: 'search_document' }) }),
    );
    expect(JSON.parse(Buffer.from(cohere.body).toString('utf8')).embeddings).toHaveLength(2);
  });

  it('refuses a conversation Converse would refuse (toolUse without toolConfig) with ValidationException', async () => {
    const input: ConverseCommandInput = {
      ...hello,
      messages: [...(hello.messages ?? []), { role: 'assistant', content: [{ toolUse: { toolUseId: 't1', name: 'x', input: {} } }] }, { role: 'user', content: [{ text: 'ok' }] }],
    };
    await expect(client().send(new ConverseCommand(input))).rejects.toMatchObject({ name: 'ValidationException' });
  });
});
