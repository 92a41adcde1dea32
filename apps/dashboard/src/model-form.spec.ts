import { formatPrice, formatTokens, modelOverrideOf } from './model-form';

const blank = { inputUsdPerMTok: '', outputUsdPerMTok: '', contextWindow: '', maxOutputTokens: '', providers: '' };

describe('modelOverrideOf', () => {
  it('leaves empty fields out and reads the rest', () => {
    expect(modelOverrideOf({ ...blank, outputUsdPerMTok: ' 12.5 ' })).toEqual({ override: { outputUsdPerMTok: 12.5 } });
    expect(modelOverrideOf({ inputUsdPerMTok: '0', outputUsdPerMTok: '0.6', contextWindow: '131072', maxOutputTokens: '0', providers: 'vllm, ollama,vllm,' })).toEqual({
      override: { inputUsdPerMTok: 0, outputUsdPerMTok: 0.6, contextWindow: 131_072, maxOutputTokens: 0, providers: ['vllm', 'ollama'] },
    });
  });

  it.each([
    [{ inputUsdPerMTok: '-1' }, /Input price/],
    [{ outputUsdPerMTok: 'ten' }, /Output price/],
    [{ outputUsdPerMTok: '1e9' }, /Output price/],
    [{ contextWindow: '0' }, /Context window/],
    [{ maxOutputTokens: '1.5' }, /Max output tokens/],
  ])('refuses %j', (fields, message) => {
    const result = modelOverrideOf({ ...blank, ...fields });
    expect('error' in result && result.error).toMatch(message);
  });
});

describe('formatting', () => {
  it('formats prices and token counts', () => {
    expect(formatPrice(2.5)).toBe('$2.50');
    expect(formatPrice(0.0001)).toBe('$0.0001');
    expect(formatTokens(128_000)).toBe('128K');
    expect(formatTokens(1_000_000)).toBe('1M');
    expect(formatTokens(16_385)).toBe('16,385');
    expect(formatTokens(0)).toBe('—');
  });
});
