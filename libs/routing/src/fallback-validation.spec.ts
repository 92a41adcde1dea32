import { type FallbackValidation, validateFallbacks } from './fallback-validation';

describe('validateFallbacks', () => {
  it.each<[string, unknown]>([
    ['an empty map', {}],
    ['one fallback', { 'gpt-4o': ['claude-3-5-sonnet'] }],
    ['a chain', { a: ['b'], b: ['c'], c: [] }],
    ['a diamond (shared fallback, no cycle)', { a: ['b', 'c'], b: ['d'], c: ['d'], d: [] }],
    ['provider-pinned entries', { 'gpt-4o': ['backup/gpt-4o', 'anthropic/claude-3-5-sonnet'] }],
  ])('accepts %s', (_case, map) => {
    expect(validateFallbacks(map)).toEqual({ ok: true });
  });

  it.each<[string, unknown, FallbackValidation]>([
    ['a self-reference', { a: ['b', 'a'] }, { ok: false, problem: 'self_reference', cycle: ['a', 'a'] }],
    ['a two-model cycle', { a: ['b'], b: ['a'] }, { ok: false, problem: 'cycle', cycle: ['a', 'b', 'a'] }],
    ['a longer cycle', { a: ['b'], b: ['c'], c: ['a'] }, { ok: false, problem: 'cycle', cycle: ['a', 'b', 'c', 'a'] }],
    ['a cycle off the first model', { a: ['b'], b: ['c'], c: ['b'] }, { ok: false, problem: 'cycle', cycle: ['b', 'c', 'b'] }],
    ['a cycle found from a later key', { x: [], c: ['d'], d: ['c'] }, { ok: false, problem: 'cycle', cycle: ['c', 'd', 'c'] }],
  ])('refuses %s', (_case, map, expected) => {
    expect(validateFallbacks(map)).toEqual(expected);
  });

  it.each<[string, unknown, string]>([
    ['a number in a list', { a: ['b', 3] }, 'a'],
    ['a null in a list', { a: [null] }, 'a'],
    ['an empty name in a list', { a: [''] }, 'a'],
    ['a string instead of a list', { a: 'b' }, 'a'],
    ['an object instead of a list', { a: { models: ['b'] } }, 'a'],
    ['an empty key', { '': ['b'] }, ''],
    ['an array', [['a', 'b']], ''],
    ['null', null, ''],
    ['a string', 'a→b', ''],
  ])('refuses %s', (_case, map, model) => {
    const result = validateFallbacks(map);
    expect(result).toMatchObject({ ok: false, problem: 'invalid_entry', model });
  });
});
