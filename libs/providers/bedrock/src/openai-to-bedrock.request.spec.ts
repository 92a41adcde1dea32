import { OpenAiRequestError } from '@ai-gateway/openai-api';
import { thrownBy } from '../test/fixtures';
import { toConverseRequest } from './openai-to-bedrock.request';

const PNG = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==';
const WEATHER = { type: 'function', function: { name: 'get_weather', description: 'Weather by city', parameters: { type: 'object', properties: { city: { type: 'string' } } } } };
const user = (content: unknown) => ({ role: 'user', content });

describe('toConverseRequest', () => {
  it.each<[string, Record<string, unknown>, Record<string, unknown>]>([
    ['a plain user message', { model: 'm', messages: [user('Hi')] }, { messages: [{ role: 'user', content: [{ text: 'Hi' }] }] }],
    [
      'system and developer messages as system blocks, sampling as inferenceConfig',
      {
        model: 'm',
        messages: [{ role: 'system', content: 'Be brief.' }, { role: 'developer', content: [{ type: 'text', text: 'Use French.' }] }, user('Hi')],
        max_tokens: 100,
        temperature: 0.2,
        top_p: 0.9,
        stop: 'END',
      },
      {
        system: [{ text: 'Be brief.' }, { text: 'Use French.' }],
        messages: [{ role: 'user', content: [{ text: 'Hi' }] }],
        inferenceConfig: { maxTokens: 100, temperature: 0.2, topP: 0.9, stopSequences: ['END'] },
      },
    ],
    [
      'max_completion_tokens before max_tokens, stop lists as they are',
      { model: 'm', messages: [user('Hi')], max_tokens: 5, max_completion_tokens: 50, stop: ['a', 'b'] },
      { messages: [{ role: 'user', content: [{ text: 'Hi' }] }], inferenceConfig: { maxTokens: 50, stopSequences: ['a', 'b'] } },
    ],
    [
      'text and a data: URL image as text and image bytes',
      { model: 'm', messages: [user([{ type: 'text', text: 'What is this?' }, { type: 'image_url', image_url: { url: `data:image/png;base64,${PNG}` } }])] },
      { messages: [{ role: 'user', content: [{ text: 'What is this?' }, { image: { format: 'png', source: { bytes: PNG } } }] }] },
    ],
    [
      'tools, a named tool_choice, assistant tool calls and tool results in one user turn',
      {
        model: 'm',
        tools: [WEATHER],
        tool_choice: { type: 'function', function: { name: 'get_weather' } },
        messages: [
          user('Weather in Paris and Berlin?'),
          {
            role: 'assistant',
            content: '',
            tool_calls: [
              { id: 'tooluse_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } },
              { id: 'tooluse_2', type: 'function', function: { name: 'get_weather', arguments: '' } },
            ],
          },
          { role: 'tool', tool_call_id: 'tooluse_1', content: 'sunny' },
          { role: 'tool', tool_call_id: 'tooluse_2', content: [{ type: 'text', text: 'rain' }] },
          user('And tomorrow?'),
        ],
      },
      {
        messages: [
          { role: 'user', content: [{ text: 'Weather in Paris and Berlin?' }] },
          {
            role: 'assistant',
            content: [
              { toolUse: { toolUseId: 'tooluse_1', name: 'get_weather', input: { city: 'Paris' } } },
              { toolUse: { toolUseId: 'tooluse_2', name: 'get_weather', input: {} } },
            ],
          },
          {
            role: 'user',
            content: [
              { toolResult: { toolUseId: 'tooluse_1', content: [{ text: 'sunny' }], status: 'success' } },
              { toolResult: { toolUseId: 'tooluse_2', content: [{ text: 'rain' }], status: 'success' } },
              { text: 'And tomorrow?' },
            ],
          },
        ],
        toolConfig: {
          tools: [{ toolSpec: { name: 'get_weather', description: 'Weather by city', inputSchema: { json: WEATHER.function.parameters } } }],
          toolChoice: { tool: { name: 'get_weather' } },
        },
      },
    ],
    [
      "tool_choice 'required' as any, a tool without parameters gets an empty object schema",
      { model: 'm', messages: [user('Hi')], tools: [{ type: 'function', function: { name: 'now' } }], tool_choice: 'required' },
      {
        messages: [{ role: 'user', content: [{ text: 'Hi' }] }],
        toolConfig: { tools: [{ toolSpec: { name: 'now', inputSchema: { json: { type: 'object', properties: {} } } } }], toolChoice: { any: {} } },
      },
    ],
    [
      "tool_choice 'auto' as auto; 'none' without tool history leaves toolConfig out",
      { model: 'm', messages: [user('Hi')], tools: [WEATHER], tool_choice: 'auto' },
      { messages: [{ role: 'user', content: [{ text: 'Hi' }] }], toolConfig: { tools: [expect.anything()], toolChoice: { auto: {} } } },
    ],
    ["tool_choice 'none'", { model: 'm', messages: [user('Hi')], tools: [WEATHER], tool_choice: 'none' }, { messages: [{ role: 'user', content: [{ text: 'Hi' }] }] }],
    [
      'consecutive user messages merged, blank texts dropped, dropped parameters (seed, user, parallel_tool_calls)',
      { model: 'm', messages: [user('One'), user(' '), user('Two'), { role: 'assistant', content: null }], seed: 7, user: 'u1', parallel_tool_calls: false, n: 1 },
      { messages: [{ role: 'user', content: [{ text: 'One' }, { text: 'Two' }] }] },
    ],
    [
      "tool_choice 'none' in a conversation with tool calls: no toolConfig, the calls and results told as text",
      {
        model: 'm',
        tools: [WEATHER],
        tool_choice: 'none',
        messages: [user('Paris?'), { role: 'assistant', tool_calls: [{ id: 't1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }] }, { role: 'tool', tool_call_id: 't1', content: 'sunny' }],
      },
      {
        messages: [
          { role: 'user', content: [{ text: 'Paris?' }] },
          { role: 'assistant', content: [{ text: '[tool call t1: get_weather({"city":"Paris"})]' }] },
          { role: 'user', content: [{ text: '[result of tool call t1: sunny]' }] },
        ],
      },
    ],
    [
      'a summary turn after tool use that offers no tools: the calls and results told as text',
      {
        model: 'm',
        messages: [
          user('Paris?'),
          { role: 'assistant', content: null, tool_calls: [{ id: 't1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }] },
          { role: 'tool', tool_call_id: 't1', content: 'sunny' },
          user('Sum it up.'),
        ],
      },
      {
        messages: [
          { role: 'user', content: [{ text: 'Paris?' }] },
          { role: 'assistant', content: [{ text: '[tool call t1: get_weather({"city":"Paris"})]' }] },
          { role: 'user', content: [{ text: '[result of tool call t1: sunny]' }, { text: 'Sum it up.' }] },
        ],
      },
    ],
    [
      "an assistant turn's refusal part as its text",
      { model: 'm', messages: [user('Hi'), { role: 'assistant', content: [{ type: 'refusal', refusal: 'I cannot help with that.' }] }, user('Then say hi.')] },
      {
        messages: [
          { role: 'user', content: [{ text: 'Hi' }] },
          { role: 'assistant', content: [{ text: 'I cannot help with that.' }] },
          { role: 'user', content: [{ text: 'Then say hi.' }] },
        ],
      },
    ],
  ])('translates %s', (_name, request, expected) => {
    expect(toConverseRequest(request)).toEqual(expected);
  });

  it.each<[string, Record<string, unknown>, string, RegExp]>([
    ['an https image URL (Converse takes bytes only)', { messages: [user([{ type: 'image_url', image_url: { url: 'https://example.com/cat.png' } }])] }, 'messages[0].content[0].image_url.url', /data: URL/],
    ['an image type Converse does not read', { messages: [user([{ type: 'image_url', image_url: { url: 'data:image/bmp;base64,AAAA' } }])] }, 'messages[0].content[0].image_url.url', /image\/bmp/],
    ['an image that is not base64', { messages: [user([{ type: 'image_url', image_url: { url: 'data:image/png,<svg>' } }])] }, 'messages[0].content[0].image_url.url', /base64/],
    ['audio input', { messages: [user([{ type: 'input_audio', input_audio: {} }])] }, 'messages[0].content[0].type', /input_audio/],
    ['n > 1', { messages: [user('Hi')], n: 2 }, 'n', /one choice/],
    ['a JSON response_format', { messages: [user('Hi')], response_format: { type: 'json_object' } }, 'response_format', /JSON modes/],
    ['logprobs', { messages: [user('Hi')], logprobs: true }, 'logprobs', /log probabilities/],
    ['a presence penalty', { messages: [user('Hi')], presence_penalty: 0.5 }, 'presence_penalty', /penalties/],
    ['tool arguments that are not JSON', { messages: [user('Hi'), { role: 'assistant', tool_calls: [{ id: 't', type: 'function', function: { name: 'f', arguments: '{' } }] }] }, 'messages[1].tool_calls[0].function.arguments', /valid JSON/],
    ['an image in a system message', { messages: [{ role: 'system', content: [{ type: 'image_url', image_url: { url: `data:image/png;base64,${PNG}` } }] }, user('Hi')] }, 'messages[0].content[0]', /text part/],
    ['tool_choice without tools', { messages: [user('Hi')], tool_choice: 'required' }, 'tool_choice', /at least one tool/],
    ['max_tokens 0', { messages: [user('Hi')], max_tokens: 0 }, 'max_tokens', /positive integer/],
    ['content of a wrong type', { messages: [user(5)] }, 'messages[0].content', /string or an array/],
    ['messages that are not a list', { messages: {} }, 'messages', /array of messages/],
    ['no user or assistant message', { messages: [{ role: 'system', content: 'x' }] }, 'messages', /At least one/],
    ['an unknown role', { messages: [{ role: 'robot', content: 'x' }] }, 'messages[0].role', /robot/],
    ['a tool message without its call id', { messages: [user('Hi'), { role: 'tool', content: 'x' }] }, 'messages[1].tool_call_id', /non-empty string/],
  ])('refuses %s with a 400 naming the parameter', (_name, request, param, message) => {
    const error = thrownBy(() => toConverseRequest({ model: 'm', ...request }));
    expect(error).toBeInstanceOf(OpenAiRequestError);
    expect(error).toMatchObject({ status: 400, type: 'invalid_request_error', param, message: expect.stringMatching(message) });
  });

  it("maps a tool call id Converse would refuse (another provider's, too long) to a valid one, the same for the call and its result", () => {
    const geminiId = `call_i91z8EDIcXTHxS1mhVVDSwox__thought__${'CiQB0e2Kb-oHVnJ2PX9tGH5S0V8mRlFEQS_pWRxHDBgbUu2J8L0'.repeat(4)}`;
    const body = toConverseRequest({
      model: 'm',
      tools: [WEATHER],
      messages: [user('Paris?'), { role: 'assistant', tool_calls: [{ id: geminiId, type: 'function', function: { name: 'get_weather', arguments: '{}' } }] }, { role: 'tool', tool_call_id: geminiId, content: 'sunny' }],
    });
    const ids = body.messages.flatMap((m) => m.content).flatMap((b) => ('toolUse' in b ? [b.toolUse.toolUseId] : 'toolResult' in b ? [b.toolResult.toolUseId] : []));
    expect(ids).toHaveLength(2);
    expect(ids[0]).toBe(ids[1]);
    expect(ids[0]).toMatch(/^[a-zA-Z0-9_-]{1,64}$/);
    // An id Converse takes as it is stays as it is.
    const plain = toConverseRequest({ model: 'm', tools: [WEATHER], messages: [user('Hi'), { role: 'assistant', tool_calls: [{ id: 'tooluse_Ab-1', type: 'function', function: { name: 'get_weather', arguments: '{}' } }] }] });
    expect(plain.messages[1].content).toEqual([{ toolUse: { toolUseId: 'tooluse_Ab-1', name: 'get_weather', input: {} } }]);
  });
});
