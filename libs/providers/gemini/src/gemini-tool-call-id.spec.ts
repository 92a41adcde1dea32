import { thoughtSignatureOf, toolCallId } from './gemini-tool-call-id';

describe('tool call ids', () => {
  it('are stable per response and position, distinct across both', () => {
    expect(toolCallId('r1', 0)).toBe(toolCallId('r1', 0));
    expect(new Set([toolCallId('r1', 0), toolCallId('r1', 1), toolCallId('r2', 0)]).size).toBe(3);
    expect(toolCallId(undefined, 0)).not.toBe(toolCallId(undefined, 0));
  });

  it('carry a signature of any bytes there and back, in the [A-Za-z0-9_-] alphabet', () => {
    const signature = Buffer.from(Array.from({ length: 300 }, (_, i) => (i * 37) % 256)).toString('base64');
    const id = toolCallId('r1', 0, signature);
    expect(id).toMatch(/^call_[A-Za-z0-9_-]+$/);
    expect(thoughtSignatureOf(id)).toBe(signature);
  });

  it("use Gemini's own call id when it sent one, and ignore one with characters an id cannot hold", () => {
    expect(toolCallId('r1', 0, undefined, 'fc_1')).toBe('fc_1');
    expect(toolCallId('r1', 0, undefined, 'a b/c')).toMatch(/^call_/);
  });

  it.each(['call_abc', 'toolu_01ABC', 'call_x__thought__not base64!'])('finds no signature in %s', (id) => {
    expect(thoughtSignatureOf(id)).toBeUndefined();
  });
});
