import type { AnthropicClientMessagesRequest } from '@ai-gateway/providers-anthropic';
import { estimateInputTokens } from './count-tokens.estimate';

const request = (extra: Partial<AnthropicClientMessagesRequest>): AnthropicClientMessagesRequest => ({
  model: 'claude-sonnet-4-5',
  max_tokens: 1,
  messages: [{ role: 'user', content: 'x'.repeat(400) }],
  ...extra,
});

describe('estimateInputTokens', () => {
  it('counts text at four characters a token plus each turn\'s framing', () => {
    expect(estimateInputTokens(request({}))).toBe(104);
  });

  it('grows with the system prompt, tool definitions and images, never with framing keys', () => {
    const base = estimateInputTokens(request({}));
    expect(estimateInputTokens(request({ system: 'y'.repeat(40) }))).toBe(base + 10);
    expect(estimateInputTokens(request({ tools: [{ name: 'abcd', input_schema: {} }] }))).toBe(base + 1);
    const withImage = request({
      messages: [{ role: 'user', content: [{ type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'A'.repeat(100_000) } }] }],
    });
    expect(estimateInputTokens(withImage)).toBe(1_600 + 4);
  });
});
