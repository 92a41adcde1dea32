import { BedrockRuntimeClient, ConverseCommand, type ConverseCommandInput } from '@aws-sdk/client-bedrock-runtime';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { FAKE_BEDROCK_CREDENTIALS, startFakeBedrock, type FakeBedrock } from '@ai-gateway/testing';
import { toConverseRequest } from './openai-to-bedrock.request';
import type { ConverseRequest } from './bedrock.types';

// The Converse body the gateway writes, checked against the official SDK's serializer: the same
// request given to ConverseCommand must reach Bedrock as the very same JSON.

const MODEL = 'anthropic.claude-3-5-sonnet-20241022-v2:0';
const PNG = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==';

/** The SDK's input for a Converse body: images as bytes (it base64-encodes them itself). */
function sdkInput(body: ConverseRequest): ConverseCommandInput {
  const withBytes = JSON.parse(JSON.stringify(body), (key, value: unknown) => (key === 'bytes' && typeof value === 'string' ? Buffer.from(value, 'base64') : value)) as object;
  return { modelId: MODEL, ...withBytes } as ConverseCommandInput;
}

describe('the Converse body, against the AWS SDK serializer', () => {
  let fake: FakeBedrock;
  beforeAll(async () => {
    fake = await startFakeBedrock();
  });
  afterAll(async () => {
    await fake.close();
  });

  it.each<[string, object]>([
    ['text with system and sampling', { messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'Hi' }], max_tokens: 64, temperature: 0.5, top_p: 0.9, stop: ['END'] }],
    ['an image', { messages: [{ role: 'user', content: [{ type: 'text', text: 'What is it?' }, { type: 'image_url', image_url: { url: `data:image/png;base64,${PNG}` } }] }] }],
    [
      'tools, a named tool choice, tool calls and tool results',
      {
        tools: [{ type: 'function', function: { name: 'get_weather', description: 'Weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } } }],
        tool_choice: { type: 'function', function: { name: 'get_weather' } },
        messages: [
          { role: 'user', content: 'Weather in Paris?' },
          { role: 'assistant', content: null, tool_calls: [{ id: 'tooluse_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris","days":[1,2]}' } }] },
          { role: 'tool', tool_call_id: 'tooluse_1', content: 'sunny' },
        ],
      },
    ],
  ])('reaches Bedrock from the SDK exactly as the gateway sends it: %s', async (_name, openAiRequest) => {
    const body = toConverseRequest({ model: 'claude-3-5-sonnet', ...openAiRequest });
    const client = new BedrockRuntimeClient({ region: fake.region, endpoint: fake.url, credentials: FAKE_BEDROCK_CREDENTIALS, requestHandler: new NodeHttpHandler(), maxAttempts: 1 });
    await client.send(new ConverseCommand(sdkInput(body)));
    expect(fake.requests.at(-1)?.body).toEqual(JSON.parse(JSON.stringify(body)));
  });
});
