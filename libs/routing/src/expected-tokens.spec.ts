import { DEFAULT_EXPECTED_OUTPUT_TOKENS, expectedTokensOf } from './expected-tokens';

const bytes = (value: unknown): Uint8Array => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value));

describe('expectedTokensOf', () => {
  it('estimates input from the body size and output from the request cap', () => {
    const body = bytes({ model: 'gpt-4o', messages: [{ role: 'user', content: 'x'.repeat(400) }], max_tokens: 50 });
    expect(expectedTokensOf(body)).toEqual({ input: Math.ceil(body.byteLength / 4), output: 50 });
    expect(expectedTokensOf(bytes({ max_completion_tokens: 70, max_tokens: 50 })).output).toBe(70);
  });

  it('guesses the output when the cap is absent, unusable or the body is not JSON', () => {
    for (const body of [bytes({ messages: [] }), bytes({ max_tokens: -1 }), bytes({ max_tokens: 'lots' }), bytes('not json'), bytes('null')]) {
      expect(expectedTokensOf(body).output).toBe(DEFAULT_EXPECTED_OUTPUT_TOKENS);
    }
  });
});
