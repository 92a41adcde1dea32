import { RequestFormat } from '@ai-gateway/proto';
import { chunkFacts, hasFinishReason, streamFactsFor } from './stream-content';

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

describe('streamFactsFor', () => {
  it('reads OpenAI chunks for chat completions (the default) and Anthropic events for Messages', () => {
    const messageStart = chunk({ type: 'message_start', message: { id: 'msg_1', stop_reason: null } });
    const textDelta = chunk({ type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'Hi' } });
    const anthropic = streamFactsFor(RequestFormat.REQUEST_FORMAT_ANTHROPIC_MESSAGES);
    expect(anthropic.facts(messageStart)).toEqual({ content: false, finished: false });
    expect(anthropic.facts(textDelta)).toEqual({ content: true, finished: false });
    expect(anthropic.finishes(chunk({ type: 'message_stop' }))).toBe(true);
    for (const format of [undefined, RequestFormat.REQUEST_FORMAT_CHAT_COMPLETIONS_UNSPECIFIED]) {
      expect(streamFactsFor(format).facts(delta({ content: 'Hi' }))).toEqual({ content: true, finished: false });
      expect(streamFactsFor(format).finishes(delta({}, 'stop'))).toBe(true);
    }
  });
});
