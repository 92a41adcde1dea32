import { DEFAULT_EXPECTED_OUTPUT_TOKENS, expectedTokensOf, requestedOutputCap } from './expected-tokens';

describe('expectedTokensOf', () => {
  it('estimates input from the body size and output from the request cap', () => {
    const body = Buffer.from(JSON.stringify({ model: 'gpt-4o', messages: [{ role: 'user', content: 'x'.repeat(400) }], max_tokens: 50 }));
    expect(expectedTokensOf(body.byteLength, requestedOutputCap({ max_tokens: 50 }))).toEqual({ input: Math.ceil(body.byteLength / 4), output: 50 });
    expect(requestedOutputCap({ max_completion_tokens: 70, max_tokens: 50 })).toBe(70);
  });

  it('guesses the output when the cap is absent or unusable', () => {
    for (const request of [{}, { max_tokens: -1 }, { max_tokens: 'lots' }, { max_tokens: Number.NaN }]) {
      expect(expectedTokensOf(10, requestedOutputCap(request)).output).toBe(DEFAULT_EXPECTED_OUTPUT_TOKENS);
    }
    expect(requestedOutputCap({ max_tokens: 1e12 })).toBe(1_000_000);
  });
});
