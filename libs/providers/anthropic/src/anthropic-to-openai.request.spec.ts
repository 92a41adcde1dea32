import type { ChatCompletionRequest } from '@ai-gateway/openai-api';
import { OpenAiRequestError } from '@ai-gateway/openai-api';
import { thrownBy } from '../test/thrown-by';
import type { AnthropicClientMessagesRequest } from './anthropic.types';
import { toOpenAiChatRequest } from './anthropic-to-openai.request';
import { toAnthropicMessagesRequest } from './openai-to-anthropic.request';

const base = { model: 'claude-sonnet-4-5', max_tokens: 1024 };

describe('toOpenAiChatRequest', () => {
  const cases: Array<[string, AnthropicClientMessagesRequest, ChatCompletionRequest]> = [
    [
      'a string system and string content',
      { ...base, system: 'Be brief.', messages: [{ role: 'user', content: 'Hi' }] },
      { model: 'claude-sonnet-4-5', max_completion_tokens: 1024, messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'Hi' }] },
    ],
    [
      'system text blocks join; sampling, stop sequences and metadata map; top_k and thinking are left out',
      {
        ...base,
        system: [{ type: 'text', text: 'Be brief.' }, { type: 'text', text: 'No emoji.' }],
        messages: [{ role: 'user', content: [{ type: 'text', text: 'Hi' }] }],
        temperature: 0.2,
        top_p: 0.9,
        top_k: 5,
        stop_sequences: ['END'],
        metadata: { user_id: 'u-1' },
        thinking: { type: 'enabled', budget_tokens: 2048 },
      },
      {
        model: 'claude-sonnet-4-5',
        max_completion_tokens: 1024,
        messages: [{ role: 'system', content: 'Be brief.\n\nNo emoji.' }, { role: 'user', content: [{ type: 'text', text: 'Hi' }] }],
        stop: ['END'],
        temperature: 0.2,
        top_p: 0.9,
        user: 'u-1',
      },
    ],
    [
      'images: base64 as a data URI, url as is',
      {
        ...base,
        messages: [
          {
            role: 'user',
            content: [
              { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'iVBORw0KGgo=' } },
              { type: 'image', source: { type: 'url', url: 'https://example.com/cat.jpg' } },
              { type: 'text', text: 'What are these?' },
            ],
          },
        ],
      },
      {
        model: 'claude-sonnet-4-5',
        max_completion_tokens: 1024,
        messages: [
          {
            role: 'user',
            content: [
              { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=' } },
              { type: 'image_url', image_url: { url: 'https://example.com/cat.jpg' } },
              { type: 'text', text: 'What are these?' },
            ],
          },
        ],
      },
    ],
    [
      'a tool round trip: tool_use as tool_calls, tool_result as tool messages before the turn\'s text, thinking dropped',
      {
        ...base,
        tools: [{ name: 'get_weather', description: 'Weather', input_schema: { type: 'object', properties: { city: { type: 'string' } } } }],
        tool_choice: { type: 'any', disable_parallel_tool_use: true },
        messages: [
          { role: 'user', content: 'Weather in Paris?' },
          {
            role: 'assistant',
            content: [
              { type: 'thinking', thinking: 'Call the tool.', signature: 'EqQBCgIYAhIM' },
              { type: 'redacted_thinking', data: 'EmwKAhgB' },
              { type: 'text', text: 'Checking.' },
              { type: 'tool_use', id: 'toolu_01', name: 'get_weather', input: { city: 'Paris' } },
            ],
          },
          {
            role: 'user',
            content: [
              { type: 'text', text: 'Here you go.' },
              { type: 'tool_result', tool_use_id: 'toolu_01', content: [{ type: 'text', text: '18°C' }] },
            ],
          },
        ],
      },
      {
        model: 'claude-sonnet-4-5',
        max_completion_tokens: 1024,
        messages: [
          { role: 'user', content: 'Weather in Paris?' },
          {
            role: 'assistant',
            content: 'Checking.',
            tool_calls: [{ id: 'toolu_01', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }],
          },
          { role: 'tool', tool_call_id: 'toolu_01', content: '18°C' },
          { role: 'user', content: [{ type: 'text', text: 'Here you go.' }] },
        ],
        tools: [{ type: 'function', function: { name: 'get_weather', description: 'Weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } } }],
        tool_choice: 'required',
        parallel_tool_calls: false,
      },
    ],
    [
      'a failed tool result says so; a named tool choice becomes a function choice; stream asks for usage',
      {
        ...base,
        stream: true,
        tools: [{ name: 'f', input_schema: { type: 'object' } }],
        tool_choice: { type: 'tool', name: 'f' },
        messages: [
          { role: 'assistant', content: [{ type: 'tool_use', id: 't1', name: 'f', input: {} }] },
          { role: 'user', content: [{ type: 'tool_result', tool_use_id: 't1', content: 'boom', is_error: true }] },
        ],
      },
      {
        model: 'claude-sonnet-4-5',
        max_completion_tokens: 1024,
        messages: [
          { role: 'assistant', content: null, tool_calls: [{ id: 't1', type: 'function', function: { name: 'f', arguments: '{}' } }] },
          { role: 'tool', tool_call_id: 't1', content: 'Error: boom' },
        ],
        tools: [{ type: 'function', function: { name: 'f', parameters: { type: 'object' } } }],
        tool_choice: { type: 'function', function: { name: 'f' } },
        stream: true,
        stream_options: { include_usage: true },
      },
    ],
  ];

  it.each(cases)('%s', (_name, request, expected) => {
    expect(toOpenAiChatRequest(request)).toEqual(expected);
  });

  it.each([
    ['a document block', { role: 'user', content: [{ type: 'document', source: { type: 'text', data: 'x', media_type: 'text/plain' } }] }, 'messages[0].content[0].type'],
    ['a document inside a tool result', { role: 'user', content: [{ type: 'tool_result', tool_use_id: 't', content: [{ type: 'document', source: { type: 'url', url: 'https://x' } }] }] }, 'messages[0].content[0].content[0].type'],
    ['an image without a source', { role: 'user', content: [{ type: 'image' }] }, 'messages[0].content[0].source'],
  ])('refuses %s with a 400 naming the parameter', (_name, message, param) => {
    const error = thrownBy(() => toOpenAiChatRequest({ ...base, messages: [message] } as unknown as AnthropicClientMessagesRequest));
    expect(error).toBeInstanceOf(OpenAiRequestError);
    expect(error).toMatchObject({ status: 400, param });
  });

  it("moves a tool result's images (a coding agent's screenshot) to the user message after the tool messages, and says so in the tool message", () => {
    const request: AnthropicClientMessagesRequest = {
      ...base,
      messages: [
        { role: 'assistant', content: [{ type: 'tool_use', id: 't1', name: 'read', input: { path: 'shot.png' } }, { type: 'tool_use', id: 't2', name: 'read', input: { path: 'a.txt' } }] },
        {
          role: 'user',
          content: [
            { type: 'tool_result', tool_use_id: 't1', content: [{ type: 'text', text: 'shot.png' }, { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'iVBORw0KGgo=' } }] },
            { type: 'tool_result', tool_use_id: 't2', content: 'hello' },
            { type: 'text', text: 'What do you see?' },
          ],
        },
      ],
    };
    expect(toOpenAiChatRequest(request).messages.slice(1)).toEqual([
      { role: 'tool', tool_call_id: 't1', content: 'shot.png\n(an image, in the next user message)' },
      { role: 'tool', tool_call_id: 't2', content: 'hello' },
      {
        role: 'user',
        content: [
          { type: 'text', text: 'Images returned by tool call t1:' },
          { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=' } },
          { type: 'text', text: 'What do you see?' },
        ],
      },
    ]);
  });

  it('turns system turns between messages into OpenAI system messages, in place', () => {
    const request = {
      ...base,
      system: 'Be brief.',
      messages: [
        { role: 'user', content: 'Hi' },
        { role: 'system', content: [{ type: 'text', text: 'Answer in French.' }] },
        { role: 'user', content: 'Hello?' },
      ],
    } as AnthropicClientMessagesRequest;
    expect(toOpenAiChatRequest(request).messages).toEqual([
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: 'Hi' },
      { role: 'system', content: 'Answer in French.' },
      { role: 'user', content: 'Hello?' },
    ]);
  });

  it('refuses max_tokens 0 (filling the prompt cache) with a 400: only Anthropic-kind providers have that cache', () => {
    const error = thrownBy(() => toOpenAiChatRequest({ ...base, max_tokens: 0, messages: [{ role: 'user', content: 'x' }] }));
    expect(error).toBeInstanceOf(OpenAiRequestError);
    expect(error).toMatchObject({ status: 400, param: 'max_tokens' });
  });

  it('refuses Anthropic server tools, which no other provider runs', () => {
    const request = { ...base, messages: [{ role: 'user', content: 'x' }], tools: [{ type: 'web_search_20250305', name: 'web_search' }] };
    expect(thrownBy(() => toOpenAiChatRequest(request as unknown as AnthropicClientMessagesRequest))).toMatchObject({ status: 400, param: 'tools[0].type' });
  });

  it('translated back by the OpenAI→Anthropic translator, a conversation without thinking comes back the same', () => {
    const original: AnthropicClientMessagesRequest = {
      ...base,
      system: 'Be brief.',
      tools: [{ name: 'f', description: 'F', input_schema: { type: 'object', properties: {} } }],
      tool_choice: { type: 'auto' },
      messages: [
        { role: 'user', content: [{ type: 'text', text: 'Go' }] },
        { role: 'assistant', content: [{ type: 'text', text: 'Calling.' }, { type: 'tool_use', id: 't1', name: 'f', input: { a: 1 } }] },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: 't1', content: 'done' }, { type: 'text', text: 'Next?' }] },
      ],
    };
    const back = toAnthropicMessagesRequest(toOpenAiChatRequest(original), { model: base.model, maxOutputTokens: 0 });
    expect(back).toEqual(original);
  });
});
