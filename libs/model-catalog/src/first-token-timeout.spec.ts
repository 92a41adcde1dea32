import { findModel } from './model-lookup';
import { DEFAULT_FIRST_TOKEN_TIMEOUT_MS, firstTokenTimeoutMs, REASONING_FIRST_TOKEN_TIMEOUT_MS } from './first-token-timeout';

describe('firstTokenTimeoutMs', () => {
  it.each([
    ['gpt-4o', DEFAULT_FIRST_TOKEN_TIMEOUT_MS],
    ['claude-3-5-sonnet-20241022', DEFAULT_FIRST_TOKEN_TIMEOUT_MS],
    ['o1', REASONING_FIRST_TOKEN_TIMEOUT_MS],
    ['o1-2024-12-17', REASONING_FIRST_TOKEN_TIMEOUT_MS],
    ['o3-mini', REASONING_FIRST_TOKEN_TIMEOUT_MS],
    ['o3', REASONING_FIRST_TOKEN_TIMEOUT_MS],
    ['o4-mini', REASONING_FIRST_TOKEN_TIMEOUT_MS],
    ['deepseek-reasoner', REASONING_FIRST_TOKEN_TIMEOUT_MS],
    ['llama-3.1-70b', DEFAULT_FIRST_TOKEN_TIMEOUT_MS],
    ['gpt-4o-mini', DEFAULT_FIRST_TOKEN_TIMEOUT_MS],
  ])('%s waits %d ms by default', (name, expected) => {
    expect(firstTokenTimeoutMs([name], findModel(name, 'openai') ?? findModel(name))).toBe(expected);
  });

  it('is at least two minutes for every reasoning model of the catalog', () => {
    expect(REASONING_FIRST_TOKEN_TIMEOUT_MS).toBeGreaterThanOrEqual(120_000);
  });

  it('takes the operator override by any name of the model', () => {
    const limits = { defaultMs: 1_000, reasoningMs: 2_000, byModel: { 'gpt-4o': 500, o1: 9_000 } };
    expect(firstTokenTimeoutMs(['gpt-4o-2024-08-06'], findModel('gpt-4o-2024-08-06'), limits)).toBe(500);
    expect(firstTokenTimeoutMs(['o1'], findModel('o1'), limits)).toBe(9_000);
    expect(firstTokenTimeoutMs(['o3-mini'], findModel('o3-mini'), limits)).toBe(2_000);
    expect(firstTokenTimeoutMs(['gpt-4.1'], findModel('gpt-4.1'), limits)).toBe(1_000);
  });
});
