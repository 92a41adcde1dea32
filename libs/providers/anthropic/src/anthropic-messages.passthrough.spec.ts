import { OpenAiRequestError } from '@ai-gateway/openai-api';
import { thrownBy } from '../test/thrown-by';
import { readAnthropicMessage, toPassthroughRequest, withoutSignedThinking } from './anthropic-messages.passthrough';
import type { AnthropicClientMessagesRequest } from './anthropic.types';

const conversation: AnthropicClientMessagesRequest = {
  model: 'claude-sonnet-4-5',
  max_tokens: 2048,
  thinking: { type: 'enabled', budget_tokens: 1024 },
  messages: [
    { role: 'user', content: 'Weather?' },
    {
      role: 'assistant',
      content: [
        { type: 'thinking', thinking: 'Use the tool.', signature: 'EqQBCgIYAhIM' },
        { type: 'tool_use', id: 'toolu_1', name: 'get_weather', input: {} },
      ],
    },
    { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_1', content: '18°C' }] },
    { role: 'assistant', content: [{ type: 'redacted_thinking', data: 'EmwKAhgB' }] },
    { role: 'user', content: 'Thanks' },
  ],
};
const bytes = (value: unknown): Uint8Array => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value));

describe('toPassthroughRequest', () => {
  const headers = { 'anthropic-version': '2023-06-01', 'anthropic-beta': 'interleaved-thinking-2025-05-14' };

  it('sends the client bytes untouched when the model needs no rewrite, with its anthropic-version and anthropic-beta', () => {
    const raw = ' {"model":"claude-sonnet-4-5","max_tokens":5,"messages":[{"role":"user","content":"hi"}],"x_unknown":1}';
    const request = toPassthroughRequest(bytes(raw), 'claude-sonnet-4-5', { model: 'claude-sonnet-4-5', apiKey: 'sk-ant-k', viaFallback: false }, headers, false);
    expect(request).toEqual({
      path: '/v1/messages',
      headers: { 'x-api-key': 'sk-ant-k', 'anthropic-version': '2023-06-01', 'anthropic-beta': 'interleaved-thinking-2025-05-14', 'content-type': 'application/json' },
      body: raw,
    });
  });

  it('writes the provider model id over an alias and keeps thinking for the requested model', () => {
    const request = toPassthroughRequest(bytes({ ...conversation, model: 'claude-sonnet' }), 'claude-sonnet', { model: 'claude-sonnet-4-5-20250929', apiKey: 'k', viaFallback: false }, {}, true);
    expect(JSON.parse(request.body)).toEqual({ ...conversation, model: 'claude-sonnet-4-5-20250929', stream: true });
    expect(request.headers['anthropic-version']).toBe('2023-06-01');
    expect(request.headers['anthropic-beta']).toBeUndefined();
  });

  it('never sends a signature to a fallback model: thinking history stripped, thinking off', () => {
    const request = toPassthroughRequest(bytes(conversation), 'claude-sonnet-4-5', { model: 'claude-3-5-haiku-20241022', apiKey: 'k', viaFallback: true }, headers, false);
    expect(request.body).not.toContain('EqQBCgIYAhIM');
    expect(request.body).not.toContain('EmwKAhgB');
    expect(JSON.parse(request.body)).toEqual({ ...withoutSignedThinking(conversation), model: 'claude-3-5-haiku-20241022' });
  });
});

describe('unsigned thinking (written by another kind through the gateway)', () => {
  it('is dropped even for the requested model, the signed thinking kept', () => {
    const mixed = {
      ...conversation,
      messages: [
        { role: 'user', content: 'Hi' },
        { role: 'assistant', content: [{ type: 'thinking', thinking: 'from gpt', signature: '' }, { type: 'text', text: 'Hello' }] },
        { role: 'user', content: 'Again' },
        { role: 'assistant', content: [{ type: 'thinking', thinking: 'from claude', signature: 'EqQB' }, { type: 'text', text: 'Yes' }] },
        { role: 'user', content: 'More' },
      ],
    } as AnthropicClientMessagesRequest;
    const request = toPassthroughRequest(bytes(mixed), 'claude-sonnet-4-5', { model: 'claude-sonnet-4-5', apiKey: 'k', viaFallback: false }, {}, false);
    const sent = JSON.parse(request.body) as AnthropicClientMessagesRequest;
    expect(sent.messages[1].content).toEqual([{ type: 'text', text: 'Hello' }]);
    expect(sent.messages[3].content).toEqual([{ type: 'thinking', thinking: 'from claude', signature: 'EqQB' }, { type: 'text', text: 'Yes' }]);
    expect(sent.thinking).toEqual(conversation.thinking);
  });
});

describe('withoutSignedThinking', () => {
  it('drops thinking blocks, the thinking-only turn and the thinking parameter', () => {
    expect(withoutSignedThinking(conversation)).toEqual({
      model: 'claude-sonnet-4-5',
      max_tokens: 2048,
      messages: [
        { role: 'user', content: 'Weather?' },
        { role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_1', name: 'get_weather', input: {} }] },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_1', content: '18°C' }] },
        { role: 'user', content: 'Thanks' },
      ],
    });
  });
});

describe('readAnthropicMessage', () => {
  it('reads a message and refuses anything else as a 502', () => {
    expect(readAnthropicMessage(bytes({ id: 'msg_1', type: 'message', role: 'assistant', content: [], usage: {} }))).toMatchObject({ id: 'msg_1' });
    for (const body of ['{', '{"type":"error"}', '[]']) {
      const error = thrownBy(() => readAnthropicMessage(bytes(body)));
      expect(error).toBeInstanceOf(OpenAiRequestError);
      expect(error).toMatchObject({ status: 502 });
    }
  });
});
