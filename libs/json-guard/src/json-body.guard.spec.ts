import { checkJsonBody, MAX_JSON_DEPTH } from './json-body.guard';

const body = (text: string): Buffer => Buffer.from(text, 'utf8');

describe('checkJsonBody', () => {
  it.each([
    ['a chat body', '{"model":"gpt-4o","messages":[{"role":"user","content":[{"type":"text","text":"hi"}]}],"stream":true}'],
    ['the same key in sibling objects', '{"messages":[{"role":"user"},{"role":"assistant"}]}'],
    ['keys that only look alike inside strings', '{"a":"{\\"a\\":1,\\"a\\":2}","b":"[[[["}'],
    ['a key equal to a value', '{"a":"a","b":"a"}'],
    ['escaped quotes in keys', '{"a\\"b":1,"a\\\\":2}'],
    ['non-ASCII text', '{"content":"héllo — 日本 🎉"}'],
  ])('accepts %s', (_name, text) => {
    expect(checkJsonBody(body(text))).toBeUndefined();
  });

  it('refuses a duplicate top-level key', () => {
    expect(checkJsonBody(body('{"model":"a","model":"b"}'))).toEqual({ kind: 'duplicate_key', key: 'model' });
  });

  it('refuses a duplicate spelled with an escape (the metering bypass)', () => {
    const text = '{"model":"gpt-4o","stream_options":{"include_usage":true},"stream\\u005foptions":{"include_usage":false}}';
    expect(checkJsonBody(body(text))).toEqual({ kind: 'duplicate_key', key: 'stream_options' });
  });

  it('refuses a duplicate nested key', () => {
    expect(checkJsonBody(body('{"stream_options":{"include_usage":true,"include\\u005fusage":false}}'))).toEqual({
      kind: 'duplicate_key',
      key: 'include_usage',
    });
  });

  it('allows exactly the maximum depth and refuses one more', () => {
    const at = (depth: number): Buffer => body('['.repeat(depth) + ']'.repeat(depth));
    expect(checkJsonBody(at(MAX_JSON_DEPTH))).toBeUndefined();
    expect(checkJsonBody(at(MAX_JSON_DEPTH + 1))).toEqual({ kind: 'too_deep', maxDepth: MAX_JSON_DEPTH });
  });

  it('refuses 100,000 nested arrays without recursing', () => {
    expect(checkJsonBody(body('{"model":"gpt-4o","messages":' + '['.repeat(100_000) + ']'.repeat(100_000) + '}'))?.kind).toBe('too_deep');
  });

  it('does not count brackets inside strings', () => {
    expect(checkJsonBody(body(`{"text":"${'['.repeat(1000)}"}`))).toBeUndefined();
  });

  it('refuses invalid UTF-8', () => {
    expect(checkJsonBody(Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xc3, 0x28, 0x22, 0x7d]))).toEqual({ kind: 'invalid_utf8' });
  });

  it('leaves syntax errors to the parser', () => {
    expect(checkJsonBody(body('{"a":'))).toBeUndefined();
    expect(checkJsonBody(body('{"a":"unterminated'))).toBeUndefined();
  });
});
