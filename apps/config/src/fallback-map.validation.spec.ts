import { MAX_FALLBACK_MODELS, MAX_FALLBACK_NAME_LENGTH, MAX_FALLBACK_TARGETS, MAX_FALLBACKS_JSON_BYTES, validateFallbackMap } from './fallback-map.validation';

const chain = (length: number): Record<string, string[]> => Object.fromEntries(Array.from({ length }, (_, i) => [`m${i}`, [`m${i + 1}`]]));

describe('validateFallbackMap: bounds', () => {
  it.each([MAX_FALLBACK_MODELS + 1, 6_000, 60_000])('refuses a chain of %i models, past the bound on models with fallbacks', (length) => {
    expect(validateFallbackMap(chain(length))).toBe(`at most ${MAX_FALLBACK_MODELS} models may have fallbacks, got ${length}`);
  });

  it('refuses a model with too many fallbacks, and names too long', () => {
    const targets = Array.from({ length: MAX_FALLBACK_TARGETS + 1 }, (_, i) => `t${i}`);
    expect(validateFallbackMap({ 'gpt-4o': targets })).toMatch(`at most ${MAX_FALLBACK_TARGETS} fallbacks`);
    const long = 'x'.repeat(MAX_FALLBACK_NAME_LENGTH + 1);
    expect(validateFallbackMap({ [long]: ['gpt-4o'] })).toMatch(`1-${MAX_FALLBACK_NAME_LENGTH} characters`);
    expect(validateFallbackMap({ 'gpt-4o': [long] })).toMatch(`1-${MAX_FALLBACK_NAME_LENGTH} characters`);
  });

  it('refuses a map larger than its bound as JSON, though each entry is in bounds', () => {
    const name = (i: number) => `${i}-${'x'.repeat(MAX_FALLBACK_NAME_LENGTH - 10)}`;
    const map = Object.fromEntries(Array.from({ length: MAX_FALLBACK_MODELS }, (_, i) => [name(i), [`${name(i)}-a`.slice(-MAX_FALLBACK_NAME_LENGTH)]]));
    expect(validateFallbackMap(map)).toMatch(new RegExp(`bytes as JSON; at most ${MAX_FALLBACKS_JSON_BYTES}$`));
  });
});

describe('validateFallbackMap: cycles', () => {
  it('checks the longest chain the bounds allow quickly, and finds a cycle closing at its end', () => {
    const started = performance.now();
    expect(validateFallbackMap(chain(MAX_FALLBACK_MODELS))).toBeUndefined();
    const looped = { ...chain(MAX_FALLBACK_MODELS - 1), [`m${MAX_FALLBACK_MODELS - 1}`]: ['m0'] };
    const cycle = validateFallbackMap(looped);
    expect(performance.now() - started).toBeLessThan(100);
    expect(cycle).toMatch(/^fallback cycle: m0 -> m1 -> .* -> m999 -> m0$/);
  });

  it('names the cycle only, not the path that led to it, and reads no inherited property as a model', () => {
    expect(validateFallbackMap({ a: ['b'], b: ['c'], c: ['d', 'b'], d: [] })).toBe('fallback cycle: b -> c -> b');
    expect(validateFallbackMap({ a: ['constructor', 'toString'], b: ['a'] })).toBeUndefined();
    expect(validateFallbackMap({ a: ['a'] })).toBe('"a" falls back to itself');
  });
});
