import { OpenAiRequestError } from '@ai-gateway/openai-api';
import { toAnthropicMessagesRequest } from './openai-to-anthropic.request';

const TARGET = { model: 'claude-3-5-sonnet-20241022', maxOutputTokens: 1024 };
const user = (content: unknown) => ({ role: 'user', content });

function refusal(body: unknown): OpenAiRequestError {
  try {
    toAnthropicMessagesRequest(body as never, TARGET);
  } catch (error) {
    if (error instanceof OpenAiRequestError) return error;
    throw new Error(`expected an OpenAiRequestError, got ${String(error)}`);
  }
  throw new Error('expected a refusal');
}

describe('toAnthropicMessagesRequest on bodies of the wrong JSON types', () => {
  it.each<[string, unknown, string]>([
    ['a body that is an array', [1, 2], 'body'],
    ['messages as an object', { messages: { role: 'user' } }, 'messages'],
    ['a message that is a string', { messages: ['hi'] }, 'messages[0]'],
    ['a role that is a number', { messages: [{ role: 1, content: 'x' }] }, 'messages[0].role'],
    ['user content as a number', { messages: [user(5)] }, 'messages[0].content'],
    ['user content as an object', { messages: [user({ text: 'x' })] }, 'messages[0].content'],
    ['user content null', { messages: [user(null)] }, 'messages[0].content'],
    ['a content part that is a string', { messages: [user(['x'])] }, 'messages[0].content[0]'],
    ['a text part whose text is a number', { messages: [user([{ type: 'text', text: 3 }])] }, 'messages[0].content[0].text'],
    ['assistant tool_calls as an object', { messages: [user('x'), { role: 'assistant', content: null, tool_calls: {} }] }, 'messages[1].tool_calls'],
    [
      'tool call arguments as an object',
      { messages: [user('x'), { role: 'assistant', content: null, tool_calls: [{ id: 'c', type: 'function', function: { name: 'f', arguments: {} } }] }] },
      'messages[1].tool_calls[0].function.arguments',
    ],
    ['a tool message without tool_call_id', { messages: [user('x'), { role: 'tool', content: 'r' }] }, 'messages[1].tool_call_id'],
    ['tools as an object', { messages: [user('x')], tools: { a: 1 } }, 'tools'],
    ['a tool without function', { messages: [user('x')], tools: [{ type: 'function' }] }, 'tools[0].function'],
    ['stop as a number', { messages: [user('x')], stop: 7 }, 'stop'],
    ['temperature as a string', { messages: [user('x')], temperature: '0.5' }, 'temperature'],
    ['max_tokens as a string', { messages: [user('x')], max_tokens: '10' }, 'max_tokens'],
  ])('refuses %s naming %s', (_case, body, param) => {
    const error = refusal(body);
    expect(error).toMatchObject({ status: 400, type: 'invalid_request_error', param });
    expect(error.message).toContain(param);
    expect(error.message).not.toMatch(/is not a function|Cannot read|undefined/);
  });

  it('still translates an ordinary request', () => {
    expect(toAnthropicMessagesRequest({ model: 'c', messages: [{ role: 'user', content: [{ type: 'text', text: 'hi' }] }] } as never, TARGET)).toMatchObject({
      messages: [{ role: 'user', content: [{ type: 'text', text: 'hi' }] }],
    });
  });
});
