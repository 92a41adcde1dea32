import { BEDROCK_MODELS } from './model-catalog.bedrock.data';
import { MODEL_CATALOG } from './model-catalog.data';
import { findModel } from './model-lookup';

describe('BEDROCK_MODELS', () => {
  it.each([
    ['claude-3-5-sonnet', 'anthropic.claude-3-5-sonnet-20241022-v2:0', 3, 15],
    ['claude-3-5-haiku', 'us.anthropic.claude-3-5-haiku-20241022-v1:0', 0.8, 4],
    ['claude-3-haiku', 'anthropic.claude-3-haiku-20240307-v1:0', 0.25, 1.25],
    ['claude-3-opus', 'us.anthropic.claude-3-opus-20240229-v1:0', 15, 75],
    ['claude-3-7-sonnet', 'us.anthropic.claude-3-7-sonnet-20250219-v1:0', 3, 15],
    ['claude-sonnet-4', 'us.anthropic.claude-sonnet-4-20250514-v1:0', 3, 15],
    ['claude-opus-4', 'us.anthropic.claude-opus-4-20250514-v1:0', 15, 75],
    ['meta.llama3-1-70b-instruct-v1:0', 'meta.llama3-1-70b-instruct-v1:0', 0.99, 0.99],
    ['us.meta.llama3-3-70b-instruct-v1:0', 'us.meta.llama3-3-70b-instruct-v1:0', 0.72, 0.72],
    ['amazon.nova-micro-v1:0', 'amazon.nova-micro-v1:0', 0.035, 0.14],
    ['amazon.nova-pro-v1:0', 'amazon.nova-pro-v1:0', 0.8, 3.2],
    ['amazon.titan-embed-text-v2:0', 'amazon.titan-embed-text-v2:0', 0.02, 0],
    ['cohere.embed-english-v3', 'cohere.embed-english-v3', 0.1, 0],
  ])('serves %s as %s at %d/%d USD per 1M tokens', (name, bedrockId, input, output) => {
    const model = findModel(name, 'bedrock');
    expect(model?.providerModelId).toBe(bedrockId);
    expect(model?.price).toMatchObject({ inputUsdPerMTok: input, outputUsdPerMTok: output });
  });

  it('names every Claude model as the anthropic kind does, so one name (and a fallback map entry) reaches both', () => {
    const claude = BEDROCK_MODELS.filter((model) => model.providerModelId.includes('anthropic.claude'));
    expect(claude.length).toBeGreaterThanOrEqual(8);
    for (const model of claude) {
      expect(MODEL_CATALOG.some((other) => other.kind === 'anthropic' && other.canonicalName === model.canonicalName)).toBe(true);
    }
  });

  it('is part of the catalog, each entry once', () => {
    for (const model of BEDROCK_MODELS) expect(MODEL_CATALOG.filter((entry) => entry === model)).toHaveLength(1);
    expect(BEDROCK_MODELS.every((model) => model.kind === 'bedrock')).toBe(true);
  });
});
