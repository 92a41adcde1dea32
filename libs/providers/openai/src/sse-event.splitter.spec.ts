import { SseEventSplitter } from './sse-event.splitter';

const STREAM = 'data: {"a":1}\n\n: keep-alive comment\n\nevent: message\ndata: {"b":"é"}\r\n\r\ndata: line1\ndata: line2\n\ndata: [DONE]\n\n';

function feedInPieces(size: number): Array<{ event: string | undefined; data: string }> {
  const splitter = new SseEventSplitter();
  const bytes = Buffer.from(STREAM);
  const out = [];
  for (let i = 0; i < bytes.length; i += size) out.push(...splitter.feed(bytes.subarray(i, i + size)));
  out.push(...splitter.finish());
  return out;
}

describe('SseEventSplitter', () => {
  it.each([1, 2, 3, 7, 64, 10_000])('yields the same events fed %i bytes at a time (UTF-8 and CRLF split anywhere)', (size) => {
    expect(feedInPieces(size)).toEqual([
      { event: undefined, data: '{"a":1}' },
      { event: 'message', data: '{"b":"é"}' },
      { event: undefined, data: 'line1\nline2' },
      { event: undefined, data: '[DONE]' },
    ]);
  });

  it('returns an event left open when the body ends', () => {
    const splitter = new SseEventSplitter();
    expect(splitter.feed(Buffer.from('data: {"partial":true}'))).toEqual([]);
    expect(splitter.finish()).toEqual([{ event: undefined, data: '{"partial":true}' }]);
  });
});
