import { anthropicEventFacts, anthropicEventFinishes } from './anthropic-event-content';

const event = (value: unknown): Uint8Array => Buffer.from(JSON.stringify(value));

describe('anthropicEventFacts', () => {
  it.each<[string, Uint8Array, { content: boolean; finished: boolean }]>([
    ['message_start', event({ type: 'message_start', message: { id: 'msg_1', content: [], stop_reason: null, usage: { input_tokens: 3 } } }), { content: false, finished: false }],
    ['ping (as Anthropic spaces it)', Buffer.from('{"type": "ping"}'), { content: false, finished: false }],
    ['an empty text block start', event({ type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } }), { content: false, finished: false }],
    ['an empty thinking block start', event({ type: 'content_block_start', index: 0, content_block: { type: 'thinking', thinking: '', signature: '' } }), { content: false, finished: false }],
    ['a tool_use block start', event({ type: 'content_block_start', index: 1, content_block: { type: 'tool_use', id: 't', name: 'f', input: {} } }), { content: true, finished: false }],
    ['a text delta', event({ type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'Hi' } }), { content: true, finished: false }],
    ['an empty text delta', event({ type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: '' } }), { content: false, finished: false }],
    ['an input_json_delta', event({ type: 'content_block_delta', index: 1, delta: { type: 'input_json_delta', partial_json: '{"a"' } }), { content: true, finished: false }],
    ['a thinking delta', event({ type: 'content_block_delta', index: 0, delta: { type: 'thinking_delta', thinking: 'Hm' } }), { content: true, finished: false }],
    ['a signature delta', event({ type: 'content_block_delta', index: 0, delta: { type: 'signature_delta', signature: 'EqQB' } }), { content: true, finished: false }],
    ['a block stop', event({ type: 'content_block_stop', index: 0 }), { content: false, finished: false }],
    ['message_delta with a stop reason', event({ type: 'message_delta', delta: { stop_reason: 'end_turn', stop_sequence: null }, usage: { output_tokens: 3 } }), { content: true, finished: true }],
    ['message_delta without one', event({ type: 'message_delta', delta: { stop_reason: null }, usage: { output_tokens: 3 } }), { content: false, finished: false }],
    ['message_stop', event({ type: 'message_stop' }), { content: true, finished: true }],
    ['unreadable bytes', Buffer.from('{not json'), { content: true, finished: false }],
  ])('%s', (_name, bytes, expected) => {
    expect(anthropicEventFacts(bytes)).toEqual(expected);
  });

  it('finds the end cheaply', () => {
    expect(anthropicEventFinishes(event({ type: 'message_delta', delta: { stop_reason: 'tool_use', stop_sequence: null } }))).toBe(true);
    expect(anthropicEventFinishes(Buffer.from('{"type": "message_stop"}'))).toBe(true);
    expect(anthropicEventFinishes(event({ type: 'message_start', message: { stop_reason: null } }))).toBe(false);
    expect(anthropicEventFinishes(event({ type: 'content_block_delta', delta: { type: 'text_delta', text: '"type":"message_stop" "stop_reason":"x"' } }))).toBe(false);
  });
});
