import type { FakeContentBlock, FakeMessage } from './fake-anthropic.types';

type StreamEvent = { type: string } & Record<string, unknown>;

/** A message as the Messages stream events Anthropic sends for it, in order. */
export function streamEvents(message: FakeMessage): StreamEvent[] {
  const { content, stop_reason, stop_sequence, usage, ...envelope } = message;
  return [
    {
      type: 'message_start',
      message: { ...envelope, content: [], stop_reason: null, stop_sequence: null, usage: { ...usage, output_tokens: 1 } },
    },
    ...content.flatMap((block, index) => blockEvents(block, index)),
    { type: 'message_delta', delta: { stop_reason, stop_sequence }, usage: { output_tokens: usage.output_tokens } },
    { type: 'message_stop' },
  ];
}

function blockEvents(block: FakeContentBlock, index: number): StreamEvent[] {
  const start = block.type === 'text' ? { type: 'text', text: '' } : block.type === 'thinking' ? { type: 'thinking', thinking: '' } : { ...block, input: {} };
  const deltas =
    block.type === 'text'
      ? splitWords(block.text).map((text) => ({ type: 'text_delta', text }))
      : block.type === 'thinking'
        ? [...splitWords(block.thinking).map((thinking) => ({ type: 'thinking_delta', thinking })), { type: 'signature_delta', signature: block.signature }]
        : ['', ...splitInThree(JSON.stringify(block.input))].map((partial_json) => ({ type: 'input_json_delta', partial_json }));
  return [
    { type: 'content_block_start', index, content_block: start },
    ...(index === 0 ? [{ type: 'ping' }] : []),
    ...deltas.map((delta) => ({ type: 'content_block_delta', index, delta })),
    { type: 'content_block_stop', index },
  ];
}

function splitWords(text: string): string[] {
  return text.split(/(?<= )/).filter((word) => word !== '');
}

function splitInThree(json: string): string[] {
  const third = Math.ceil(json.length / 3);
  return [json.slice(0, third), json.slice(third, 2 * third), json.slice(2 * third)].filter((piece) => piece !== '');
}
