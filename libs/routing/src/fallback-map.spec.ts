import { fallbackMapFromSnapshot, fallbacksOf } from './fallback-map';

describe('fallbackMapFromSnapshot', () => {
  it.each([
    [{}, {}],
    [{ 'gpt-4o': { models: ['claude-3-5-sonnet', 'gpt-4o-mini'] } }, { 'gpt-4o': ['claude-3-5-sonnet', 'gpt-4o-mini'] }],
    [{ a: { models: [] }, b: undefined }, { a: [], b: [] }],
  ])('%j → %j', (snapshotFallbacks, expected) => {
    expect(fallbackMapFromSnapshot(snapshotFallbacks)).toEqual(expected);
  });
});

describe('fallbacksOf', () => {
  const map = { 'gpt-4o': ['claude-3-5-sonnet'] };
  it.each([
    ['gpt-4o', ['claude-3-5-sonnet']],
    ['gpt-4o-mini', []],
    ['constructor', []],
    ['__proto__', []],
    ['toString', []],
  ])('%j → %j', (model, expected) => {
    expect(fallbacksOf(map, model)).toEqual(expected);
  });
});
