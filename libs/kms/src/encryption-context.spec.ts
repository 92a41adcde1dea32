import { canonicalContextJson } from './encryption-context';

describe('canonicalContextJson', () => {
  it('sorts keys so insertion order does not matter', () => {
    expect(canonicalContextJson({ provider: 'openai', keyId: 'k1' })).toBe('{"keyId":"k1","provider":"openai"}');
    expect(canonicalContextJson({ keyId: 'k1', provider: 'openai' })).toBe('{"keyId":"k1","provider":"openai"}');
  });

  it('keeps integer-like keys in sorted string order', () => {
    expect(canonicalContextJson({ '9': 'a', '10': 'b' })).toBe('{"10":"b","9":"a"}');
  });

  it('escapes quotes so values cannot forge another pair', () => {
    expect(canonicalContextJson({ a: 'x","b":"y' })).not.toBe(canonicalContextJson({ a: 'x', b: 'y' }));
  });
});
