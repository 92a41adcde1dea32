import { MAX_SSE_LINE_CHARS, SseEventDecoder, SseLimitError } from './sse-event.decoder';

const PIECE = 64 * 1024;

function feed(decoder: SseEventDecoder, bytes: Buffer, size: number): Array<{ event: string; data: string }> {
  const out = [];
  for (let i = 0; i < bytes.length; i += size) out.push(...decoder.decode(bytes.subarray(i, i + size)));
  out.push(...decoder.end());
  return out;
}

describe('SseEventDecoder work and limits', () => {
  it('decodes a 3 MiB line fed in 1 KiB pieces, examining each character at most twice', () => {
    const payload = JSON.stringify({ text: 'x'.repeat(3 * 1024 * 1024) });
    const bytes = Buffer.from(`data: ${payload}\n\ndata: [DONE]\n\n`);
    const decoder = new SseEventDecoder();
    const events = feed(decoder, bytes, 1024);
    expect(events.map((event) => event.data.length)).toEqual([payload.length, 6]);
    expect(events[0].data).toBe(payload);
    expect(decoder.charsScanned).toBeLessThanOrEqual(2 * bytes.length);
  });

  it('decodes 10 MB of a line in 64 KiB pieces in linear work when the limit allows it', () => {
    const line = 'y'.repeat(10 * 1024 * 1024);
    const bytes = Buffer.from(`data: ${line}\n\n`);
    const decoder = new SseEventDecoder({ maxLineChars: 16 * 1024 * 1024, maxEventChars: 16 * 1024 * 1024 });
    const events = feed(decoder, bytes, PIECE);
    expect(events).toHaveLength(1);
    expect(events[0].data.length).toBe(line.length);
    expect(decoder.charsScanned).toBeLessThanOrEqual(2 * bytes.length);
  });

  it('stays linear on many short lines that use only one of the two terminators', () => {
    const bytes = Buffer.from('data: {"a":1}\n\n'.repeat(50_000));
    const decoder = new SseEventDecoder();
    expect(feed(decoder, bytes, PIECE)).toHaveLength(50_000);
    expect(decoder.charsScanned).toBeLessThanOrEqual(2 * bytes.length);
  });

  it('throws SseLimitError once a line passes the limit, before reading the rest', () => {
    const bytes = Buffer.from(`data: ${'z'.repeat(40 * 1024 * 1024)}\n\n`);
    const decoder = new SseEventDecoder();
    let fed = 0;
    let thrown: unknown;
    try {
      for (; fed < bytes.length; fed += PIECE) decoder.decode(bytes.subarray(fed, fed + PIECE));
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(SseLimitError);
    expect(thrown).toMatchObject({ limit: 'line', maxChars: MAX_SSE_LINE_CHARS });
    expect(fed).toBeLessThanOrEqual(MAX_SSE_LINE_CHARS + PIECE);
  });

  it('throws SseLimitError for an event whose many data lines together pass the limit', () => {
    const decoder = new SseEventDecoder({ maxEventChars: 1000 });
    expect(() => decoder.decode(Buffer.from(`${'data: 0123456789\n'.repeat(200)}\n`))).toThrow(SseLimitError);
  });

  it('counts a line split over many pieces against the limit as a whole', () => {
    const decoder = new SseEventDecoder({ maxLineChars: 100 });
    for (let i = 0; i < 9; i++) decoder.decode(Buffer.from('data: 0123'));
    expect(() => decoder.decode(Buffer.from('0123456789012345678901234567890'))).toThrow(SseLimitError);
  });
});
