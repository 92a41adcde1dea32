import type { ChatMessage } from '@ai-gateway/openai-api';
import { OpenAiRequestError } from '@ai-gateway/openai-api';
import { thrownBy } from '../test/thrown-by';
import { toAnthropicConversation, type AnthropicConversation } from './openai-to-anthropic.messages';

const PNG = 'data:image/png;base64,iVBORw0KGgo=';
const call = (id: string, name: string, args: string) => ({ id, type: 'function' as const, function: { name, arguments: args } });

describe('toAnthropicConversation', () => {
  const cases: Array<[string, ChatMessage[], AnthropicConversation]> = [
    [
      'a single system message becomes a string system',
      [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'Hi' },
      ],
      { system: 'Be brief.', messages: [{ role: 'user', content: [{ type: 'text', text: 'Hi' }] }] },
    ],
    [
      'system and developer messages join as text blocks',
      [
        { role: 'system', content: 'Be brief.' },
        { role: 'developer', content: [{ type: 'text', text: 'Answer in French.' }, { type: 'text', text: 'No emoji.' }] },
        { role: 'user', content: 'Hi' },
      ],
      {
        system: [
          { type: 'text', text: 'Be brief.' },
          { type: 'text', text: 'Answer in French.' },
          { type: 'text', text: 'No emoji.' },
        ],
        messages: [{ role: 'user', content: [{ type: 'text', text: 'Hi' }] }],
      },
    ],
    [
      'consecutive user turns merge and parts translate',
      [
        { role: 'user', content: 'Look:' },
        {
          role: 'user',
          content: [
            { type: 'text', text: 'What is this?' },
            { type: 'image_url', image_url: { url: PNG } },
            { type: 'image_url', image_url: { url: 'https://example.com/a.jpg', detail: 'high' } },
          ],
        },
      ],
      {
        messages: [
          {
            role: 'user',
            content: [
              { type: 'text', text: 'Look:' },
              { type: 'text', text: 'What is this?' },
              { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'iVBORw0KGgo=' } },
              { type: 'image', source: { type: 'url', url: 'https://example.com/a.jpg' } },
            ],
          },
        ],
      },
    ],
    [
      'assistant tool_calls become tool_use blocks and tool results one user turn with the next user message',
      [
        { role: 'user', content: 'Weather in Paris and time in Tokyo?' },
        {
          role: 'assistant',
          content: '',
          tool_calls: [
            call('toolu_1', 'get_weather', '{"location":"Paris"}'),
            call('toolu_2', 'get_time', '{"timezone":"Asia/Tokyo","format":{"hour12":false}}'),
          ],
        },
        { role: 'tool', tool_call_id: 'toolu_1', content: '18°C' },
        { role: 'tool', tool_call_id: 'toolu_2', content: [{ type: 'text', text: '21:04' }] },
        { role: 'user', content: 'Thanks, summarise.' },
      ],
      {
        messages: [
          { role: 'user', content: [{ type: 'text', text: 'Weather in Paris and time in Tokyo?' }] },
          {
            role: 'assistant',
            content: [
              { type: 'tool_use', id: 'toolu_1', name: 'get_weather', input: { location: 'Paris' } },
              { type: 'tool_use', id: 'toolu_2', name: 'get_time', input: { timezone: 'Asia/Tokyo', format: { hour12: false } } },
            ],
          },
          {
            role: 'user',
            content: [
              { type: 'tool_result', tool_use_id: 'toolu_1', content: '18°C' },
              { type: 'tool_result', tool_use_id: 'toolu_2', content: [{ type: 'text', text: '21:04' }] },
              { type: 'text', text: 'Thanks, summarise.' },
            ],
          },
        ],
      },
    ],
    [
      'assistant text is kept before its tool calls; empty arguments mean no input',
      [
        { role: 'user', content: 'Now?' },
        { role: 'assistant', content: 'Checking.', tool_calls: [call('toolu_9', 'now', '')] },
        { role: 'tool', tool_call_id: 'toolu_9', content: '12:00' },
      ],
      {
        messages: [
          { role: 'user', content: [{ type: 'text', text: 'Now?' }] },
          {
            role: 'assistant',
            content: [
              { type: 'text', text: 'Checking.' },
              { type: 'tool_use', id: 'toolu_9', name: 'now', input: {} },
            ],
          },
          { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_9', content: '12:00' }] },
        ],
      },
    ],
    [
      'consecutive assistant turns merge; null content is skipped',
      [
        { role: 'user', content: 'Hi' },
        { role: 'assistant', content: 'Hello.' },
        { role: 'assistant', content: null, refusal: null },
        { role: 'assistant', content: [{ type: 'text', text: 'How can I help?' }] },
      ],
      {
        messages: [
          { role: 'user', content: [{ type: 'text', text: 'Hi' }] },
          {
            role: 'assistant',
            content: [
              { type: 'text', text: 'Hello.' },
              { type: 'text', text: 'How can I help?' },
            ],
          },
        ],
      },
    ],
    [
      'tool results go before text in a merged user turn',
      [
        { role: 'assistant', content: null, tool_calls: [call('toolu_1', 'f', '{}')] },
        { role: 'user', content: 'by the way' },
        { role: 'tool', tool_call_id: 'toolu_1', content: 'done' },
      ],
      {
        messages: [
          { role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_1', name: 'f', input: {} }] },
          {
            role: 'user',
            content: [
              { type: 'tool_result', tool_use_id: 'toolu_1', content: 'done' },
              { type: 'text', text: 'by the way' },
            ],
          },
        ],
      },
    ],
    [
      'turns left empty are dropped so their neighbours merge',
      [
        { role: 'user', content: 'One' },
        { role: 'assistant', content: '' },
        { role: 'user', content: [{ type: 'text', text: 'Two' }] },
      ],
      {
        messages: [
          {
            role: 'user',
            content: [
              { type: 'text', text: 'One' },
              { type: 'text', text: 'Two' },
            ],
          },
        ],
      },
    ],
    [
      "an assistant turn's refusal part reads as what it said",
      [
        { role: 'user', content: 'Hi' },
        { role: 'assistant', content: [{ type: 'refusal', refusal: 'I cannot help with that.' }] } as unknown as ChatMessage,
        { role: 'user', content: 'Then say hi.' },
      ],
      {
        messages: [
          { role: 'user', content: [{ type: 'text', text: 'Hi' }] },
          { role: 'assistant', content: [{ type: 'text', text: 'I cannot help with that.' }] },
          { role: 'user', content: [{ type: 'text', text: 'Then say hi.' }] },
        ],
      },
    ],
  ];

  it.each(cases)('%s', (_name, messages, expected) => {
    expect(toAnthropicConversation(messages)).toEqual(expected);
  });

  const refusals: Array<[string, ChatMessage[], string]> = [
    [
      'malformed tool call arguments',
      [
        { role: 'user', content: 'x' },
        { role: 'assistant', content: null, tool_calls: [call('a', 'f', '{}'), call('b', 'g', '{"city": "Par')] },
      ],
      'messages[1].tool_calls[1].function.arguments',
    ],
    [
      'tool call arguments that are not an object',
      [{ role: 'assistant', content: null, tool_calls: [call('a', 'f', '[1,2]')] }],
      'messages[0].tool_calls[0].function.arguments',
    ],
    [
      'an unsupported image type',
      [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'data:image/tiff;base64,AAAA' } }] }],
      'messages[0].content[0].image_url.url',
    ],
    [
      'an audio content part',
      [{ role: 'user', content: [{ type: 'input_audio', input_audio: { data: 'AAAA', format: 'wav' } }] }],
      'messages[0].content[0].type',
    ],
    [
      'an image in a system message',
      [{ role: 'system', content: [{ type: 'image_url', image_url: { url: PNG } }] } as unknown as ChatMessage, { role: 'user', content: 'x' }],
      'messages[0].content[0]',
    ],
    ['only system messages', [{ role: 'system', content: 'Be brief.' }], 'messages'],
    ['only empty messages', [{ role: 'user', content: '' }], 'messages'],
  ];

  it.each(refusals)('refuses %s with a 400 naming the parameter', (_name, messages, param) => {
    const thrown = thrownBy(() => toAnthropicConversation(messages));
    expect(thrown).toBeInstanceOf(OpenAiRequestError);
    expect(thrown).toMatchObject({ status: 400, type: 'invalid_request_error', param });
  });
});
