import { SseEventDecoder, type SseEvent } from './sse-event.decoder';

const CHUNK_SIZES: ReadonlyArray<[string, number]> = [
  ['1-byte', 1],
  ['2-byte', 2],
  ['7-byte', 7],
  ['whole', 0],
];

function chunked(bytes: Uint8Array, size: number): Uint8Array[] {
  if (size === 0) return [bytes];
  const pieces: Uint8Array[] = [];
  for (let start = 0; start < bytes.length; start += size) pieces.push(bytes.subarray(start, start + size));
  return pieces;
}

function decodeAll(text: string, size: number): SseEvent[] {
  const decoder = new SseEventDecoder();
  const events = chunked(new TextEncoder().encode(text), size).flatMap((piece) => decoder.decode(piece));
  return [...events, ...decoder.end()];
}

describe('SseEventDecoder', () => {
  const cases: Array<[string, string, SseEvent[]]> = [
    [
      'named events separated by LF',
      'event: ping\ndata: {"type":"ping"}\n\nevent: message_stop\ndata: {"type":"message_stop"}\n\n',
      [
        { event: 'ping', data: '{"type":"ping"}' },
        { event: 'message_stop', data: '{"type":"message_stop"}' },
      ],
    ],
    ['CRLF line endings', 'event: a\r\ndata: 1\r\n\r\nevent: b\r\ndata: 2\r\n\r\n', [{ event: 'a', data: '1' }, { event: 'b', data: '2' }]],
    ['CR line endings', 'event: a\rdata: 1\r\r', [{ event: 'a', data: '1' }]],
    ['multi-byte characters', 'data: {"text":"Ça va 😊 — 日本"}\n\n', [{ event: 'message', data: '{"text":"Ça va 😊 — 日本"}' }]],
    ['several data lines joined by LF', 'data: a\ndata: b\n\n', [{ event: 'message', data: 'a\nb' }]],
    ['comments and unknown fields ignored', ': keep-alive\nid: 7\nretry: 10\ndata:x\n\n', [{ event: 'message', data: 'x' }]],
    ['an event without data is not dispatched', 'event: empty\n\n', []],
    ['a final event missing its blank line', 'event: message_stop\ndata: {}', [{ event: 'message_stop', data: '{}' }]],
  ];

  describe.each(CHUNK_SIZES)('fed in %s chunks', (_label, size) => {
    it.each(cases)('%s', (_name, text, expected) => {
      expect(decodeAll(text, size)).toEqual(expected);
    });
  });

  it('holds a trailing CR until it knows whether LF follows', () => {
    const decoder = new SseEventDecoder();
    const encode = (text: string): Uint8Array => new TextEncoder().encode(text);
    expect(decoder.decode(encode('data: 1\r\n\r'))).toEqual([]);
    expect(decoder.decode(encode('\ndata: 2\r\n\r\n'))).toEqual([
      { event: 'message', data: '1' },
      { event: 'message', data: '2' },
    ]);
  });
});
