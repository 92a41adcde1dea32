import { frame } from '../test/fixtures';
import { EventStreamDecoder, EventStreamFrameError, MAX_FRAME_BYTES, stringHeader } from './bedrock-event-stream.decoder';

/** A small deterministic generator (mulberry32), so a failing split can be replayed. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('EventStreamDecoder', () => {
  it.each([1, 2, 3, 4, 5])('decodes every frame whatever the cut points (seed %i)', (seed) => {
    const next = random(seed);
    const payloads = Array.from({ length: 40 }, (_, i) => ({ contentBlockIndex: i, delta: { text: 'x'.repeat(Math.floor(next() * 300)) } }));
    const bytes = Buffer.concat(payloads.map((payload) => frame('event', 'contentBlockDelta', payload)));
    const decoder = new EventStreamDecoder();
    const decoded: unknown[] = [];
    for (let offset = 0; offset < bytes.length; ) {
      const size = Math.max(1, Math.floor(next() * 97));
      for (const message of decoder.feed(bytes.subarray(offset, offset + size))) {
        expect(stringHeader(message, ':event-type')).toBe('contentBlockDelta');
        decoded.push(JSON.parse(Buffer.from(message.body).toString('utf8')));
      }
      offset += size;
    }
    expect(decoded).toEqual(payloads);
    expect(decoder.midFrame).toBe(false);
  });

  it('takes a frame at the size limit fed in 64-byte pieces', () => {
    const overhead = frame('event', 'contentBlockDelta', { delta: { text: '' } }).length;
    const big = frame('event', 'contentBlockDelta', { delta: { text: 'y'.repeat(MAX_FRAME_BYTES - overhead) } });
    expect(big.length).toBe(MAX_FRAME_BYTES);
    const decoder = new EventStreamDecoder();
    const decoded = [];
    for (let offset = 0; offset < big.length; offset += 64) decoded.push(...decoder.feed(big.subarray(offset, offset + 64)));
    expect(decoded).toHaveLength(1);
  });

  it('says a body ended mid-frame, and refuses a frame over the limit from its prefix alone', () => {
    const decoder = new EventStreamDecoder();
    decoder.feed(frame('event', 'messageStart', { role: 'assistant' }).subarray(0, 10));
    expect(decoder.midFrame).toBe(true);
    const prefix = Buffer.alloc(4);
    prefix.writeUInt32BE(0xffffffff, 0);
    expect(() => new EventStreamDecoder().feed(prefix)).toThrow(EventStreamFrameError);
  });
});
