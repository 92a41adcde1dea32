import { chunkFacts, hasFinishReason } from './stream-content';

const chunk = (value: unknown): Uint8Array => Buffer.from(JSON.stringify(value));
const delta = (d: Record<string, unknown>, finish: string | null = null) => chunk({ object: 'chat.completion.chunk', choices: [{ index: 0, delta: d, finish_reason: finish }] });

describe('chunkFacts', () => {
  it.each<[string, Uint8Array, { content: boolean; finished: boolean }]>([
    ['a role-only chunk', delta({ role: 'assistant', content: '', refusal: null }), { content: false, finished: false }],
    ['an empty delta', delta({}), { content: false, finished: false }],
    ['no choices, no usage', chunk({ choices: [] }), { content: false, finished: false }],
    ['text', delta({ content: 'Hi' }), { content: true, finished: false }],
    ['a tool call', delta({ tool_calls: [{ index: 0, function: { name: 'f', arguments: '' } }] }), { content: true, finished: false }],
    ['a refusal', delta({ refusal: 'No.' }), { content: true, finished: false }],
    ['reasoning text', delta({ reasoning_content: 'Thinking' }), { content: true, finished: false }],
    ['a finish reason', delta({}, 'stop'), { content: true, finished: true }],
    ['the usage chunk', chunk({ choices: [], usage: { prompt_tokens: 1 } }), { content: true, finished: false }],
    ['unreadable bytes', Buffer.from('{not json'), { content: true, finished: false }],
  ])('%s', (_case, bytes, expected) => {
    expect(chunkFacts(bytes)).toEqual(expected);
  });

  it('finds a finish reason cheaply', () => {
    expect(hasFinishReason(delta({}, 'length'))).toBe(true);
    expect(hasFinishReason(delta({ content: 'x' }))).toBe(false);
    expect(hasFinishReason(Buffer.from('{"choices": [{"delta": {}, "finish_reason": "stop"}]}'))).toBe(true);
    expect(hasFinishReason(Buffer.from('{"choices": [{"delta": {"content": "x"}, "finish_reason": null}]}'))).toBe(false);
  });
});
