import { validateMessagesRequest } from './messages-request.validation';

const valid = { model: 'claude-sonnet-4-5', max_tokens: 64, messages: [{ role: 'user', content: 'Hi' }] };

describe('validateMessagesRequest', () => {
  it('accepts a minimal request and one with blocks, system blocks, tools and sampling', () => {
    expect(validateMessagesRequest(valid)).toEqual({ request: valid });
    const full = {
      ...valid,
      system: [{ type: 'text', text: 'Be brief.' }],
      messages: [{ role: 'user', content: [{ type: 'text', text: 'Hi' }] }, { role: 'assistant', content: 'Hello' }],
      tools: [{ name: 'f', input_schema: { type: 'object' } }],
      stop_sequences: ['END'],
      stream: true,
      temperature: 1,
      top_p: 0.5,
      top_k: 3,
    };
    expect('request' in validateMessagesRequest(full)).toBe(true);
  });

  it.each<[string, unknown, string | null]>([
    ['not an object', [], null],
    ['no model', { ...valid, model: undefined }, 'model'],
    ['a model over the limit', { ...valid, model: 'm'.repeat(257) }, 'model'],
    ['no max_tokens', { ...valid, max_tokens: undefined }, 'max_tokens'],
    ['a fractional max_tokens', { ...valid, max_tokens: 1.5 }, 'max_tokens'],
    ['empty messages', { ...valid, messages: [] }, 'messages'],
    ['a negative max_tokens', { ...valid, max_tokens: -1 }, 'max_tokens'],
    ['a tool role in messages', { ...valid, messages: [{ role: 'tool', content: 'x' }] }, 'messages.0.role'],
    ['content of the wrong type', { ...valid, messages: [{ role: 'user', content: 5 }] }, 'messages.0.content'],
    ['a block without a type', { ...valid, messages: [{ role: 'user', content: [{ text: 'x' }] }] }, 'messages.0.content.0'],
    ['too many blocks', { ...valid, messages: [{ role: 'user', content: Array.from({ length: 4097 }, () => ({ type: 'text', text: '' })) }] }, 'messages.0.content'],
    ['too many tools', { ...valid, tools: Array.from({ length: 129 }, () => ({ name: 'f' })) }, 'tools'],
    ['temperature above 1', { ...valid, temperature: 1.5 }, 'temperature'],
    ['a string stream', { ...valid, stream: 'yes' }, 'stream'],
    ['a bad system', { ...valid, system: 5 }, 'system'],
  ])('refuses %s with a 400 naming the parameter', (_name, body, param) => {
    const result = validateMessagesRequest(body);
    expect('error' in result && result.error.status).toBe(400);
    expect('error' in result && result.error.body.error.param).toBe(param);
  });

  it("accepts what Anthropic's SDK documents: max_tokens 0 (filling the prompt cache) and system turns between messages", () => {
    expect('request' in validateMessagesRequest({ ...valid, max_tokens: 0 })).toBe(true);
    expect('request' in validateMessagesRequest({ ...valid, messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'Hi' }] })).toBe(true);
    expect('request' in validateMessagesRequest({ ...valid, messages: [{ role: 'user', content: 'Hi' }, { role: 'system', content: [{ type: 'text', text: 'Now in French.' }] }] })).toBe(true);
  });

  it('count_tokens takes no max_tokens', () => {
    expect('request' in validateMessagesRequest({ ...valid, max_tokens: undefined }, true)).toBe(true);
  });
});
