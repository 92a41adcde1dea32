import { SseEventDecoder } from './sse-event.decoder';

const STREAM = 'data: {"a":1}\n\n: keep-alive comment\n\nevent: message\ndata: {"b":"é"}\r\n\r\ndata: line1\ndata: line2\n\ndata: [DONE]\n\n';

function feedInPieces(size: number): Array<{ event: string; data: string }> {
  const decoder = new SseEventDecoder();
  const bytes = Buffer.from(STREAM);
  const out = [];
  for (let i = 0; i < bytes.length; i += size) out.push(...decoder.decode(bytes.subarray(i, i + size)));
  out.push(...decoder.end());
  return out;
}

describe('SseEventDecoder on OpenAI-style streams', () => {
  it.each([1, 2, 3, 7, 64, 10_000])('yields the same events fed %i bytes at a time (UTF-8 and CRLF split anywhere)', (size) => {
    expect(feedInPieces(size)).toEqual([
      { event: 'message', data: '{"a":1}' },
      { event: 'message', data: '{"b":"é"}' },
      { event: 'message', data: 'line1\nline2' },
      { event: 'message', data: '[DONE]' },
    ]);
  });

  it('returns an event left open when the body ends', () => {
    const decoder = new SseEventDecoder();
    expect(decoder.decode(Buffer.from('data: {"partial":true}'))).toEqual([]);
    expect(decoder.end()).toEqual([{ event: 'message', data: '{"partial":true}' }]);
  });
});
