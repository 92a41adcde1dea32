import { effectiveCatalog, ModelIndex } from '@ai-gateway/model-catalog';
import { chatMaxOutputTokens, chatPromptTokens, embeddingTokens, estimateOf, worstCasePrice } from './request-cost.estimate';

describe('request cost estimate', () => {
  it('estimates prompt tokens from text high, images at a fixed worst case', () => {
    const text = 'x'.repeat(300);
    expect(chatPromptTokens({ messages: [{ role: 'user', content: text }] })).toBe(100 + 4);
    const withImage = chatPromptTokens({
      messages: [{ role: 'user', content: [{ type: 'text', text }, { type: 'image_url', image_url: { url: `data:image/png;base64,${'A'.repeat(1_000_000)}` } }] }],
    });
    expect(withImage).toBe(100 + 4 + 1_600);
  });

  it('reads an Anthropic Messages body (/v1/messages): image blocks at the image cost, the top-level system prompt', () => {
    const text = 'x'.repeat(300);
    const image = { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'A'.repeat(1_000_000) } };
    expect(chatPromptTokens({ system: 'y'.repeat(30), messages: [{ role: 'user', content: [{ type: 'text', text }, image] }] })).toBe(10 + 100 + 4 + 1_600);
  });

  it('counts tool definitions and tool calls', () => {
    const tools = [{ type: 'function', function: { name: 'lookup', parameters: { type: 'object' } } }];
    expect(chatPromptTokens({ messages: [], tools })).toBe(Math.ceil(JSON.stringify(tools).length / 3));
  });

  it('takes the output cap the client asked for, times its choices, else the default cap', () => {
    expect(chatMaxOutputTokens({ max_tokens: 50 }, 4096)).toBe(50);
    expect(chatMaxOutputTokens({ max_completion_tokens: 70, max_tokens: 50 }, 4096)).toBe(70);
    expect(chatMaxOutputTokens({ max_tokens: 50, n: 3 }, 4096)).toBe(150);
    expect(chatMaxOutputTokens({}, 4096)).toBe(4096);
    expect(chatMaxOutputTokens({ max_tokens: -1 }, 4096)).toBe(4096);
    // A hostile cap stays a finite number the shared state can store.
    expect(chatMaxOutputTokens({ max_tokens: 1e308, n: 1e308 }, 4096)).toBe(10_000_000 * 128);
  });

  it('counts embedding inputs, strings and token arrays', () => {
    expect(embeddingTokens({ input: 'abcdef' })).toBe(2);
    expect(embeddingTokens({ input: ['abc', [1, 2, 3]] })).toBe(4);
  });

  it('prices with the dearest candidate: the model under every kind and its fallback models', () => {
    expect(worstCasePrice('gpt-4o', {})).toEqual({ inputUsdPerMTok: 2.5, outputUsdPerMTok: 10 });
    expect(worstCasePrice('openai/gpt-4o', {})).toEqual({ inputUsdPerMTok: 2.5, outputUsdPerMTok: 10 });
    const withFallback = worstCasePrice('gpt-4o-mini', { 'gpt-4o-mini': ['claude-3-5-sonnet'] });
    expect(withFallback.outputUsdPerMTok).toBe(15);
    expect(worstCasePrice('my-local-llama', {})).toEqual({ inputUsdPerMTok: 0, outputUsdPerMTok: 0 });
  });

  it('prices with the operator overrides: a changed price, an added model (a slash in its name included)', () => {
    const index = new ModelIndex(
      effectiveCatalog([
        { name: 'gpt-4o', outputUsdPerMTok: 500, providers: [] },
        { name: 'meta-llama/Acme-9B', inputUsdPerMTok: 3, outputUsdPerMTok: 4, providers: ['vllm'] },
      ]),
    );
    expect(worstCasePrice('gpt-4o', {}, index).outputUsdPerMTok).toBe(500);
    expect(worstCasePrice('gpt-4o-mini', { 'gpt-4o-mini': ['gpt-4o'] }, index).outputUsdPerMTok).toBe(500);
    expect(worstCasePrice('meta-llama/Acme-9B', {}, index)).toEqual({ inputUsdPerMTok: 3, outputUsdPerMTok: 4 });
    expect(worstCasePrice('vllm/meta-llama/Acme-9B', {}, index)).toEqual({ inputUsdPerMTok: 3, outputUsdPerMTok: 4 });
  });

  it('adds prompt and output at their prices', () => {
    expect(estimateOf(1000, 100, { inputUsdPerMTok: 2.5, outputUsdPerMTok: 10 })).toEqual({ tokens: 1100, usd: 0.0025 + 0.001 });
  });
});
