import { MODEL_CATALOG } from './model-catalog.data';
import { findModel } from './model-lookup';

describe('MODEL_CATALOG', () => {
  it.each([
    'gpt-4o', 'gpt-4o-mini', 'gpt-4-turbo', 'gpt-3.5-turbo', 'gpt-4.1', 'gpt-4.1-mini', 'gpt-4.1-nano',
    'o1', 'o1-mini', 'o3-mini', 'text-embedding-3-small', 'text-embedding-3-large',
    'claude-3-5-sonnet', 'claude-3-opus', 'claude-3-haiku', 'claude-3-5-haiku', 'claude-3-7-sonnet',
    'claude-sonnet-4', 'claude-opus-4',
  ])('has the seed model %s under its canonical name', (name) => {
    expect(findModel(name)?.canonicalName).toBe(name);
  });

  // PROVIDERS.md §6 (litellm's table).
  it.each([
    ['openai', 'gpt-4o', 2.5, 10, 128_000, 16_384],
    ['openai', 'gpt-4o-mini', 0.15, 0.6, 128_000, 16_384],
    ['openai', 'gpt-4-turbo', 10, 30, 128_000, 4_096],
    ['openai', 'gpt-3.5-turbo', 0.5, 1.5, 16_385, 4_096],
    ['openai', 'gpt-4.1', 2, 8, 1_047_576, 32_768],
    ['openai', 'gpt-4.1-mini', 0.4, 1.6, 1_047_576, 32_768],
    ['openai', 'gpt-4.1-nano', 0.1, 0.4, 1_047_576, 32_768],
    ['openai', 'o1', 15, 60, 200_000, 100_000],
    ['openai', 'o1-mini', 3, 12, 128_000, 65_536],
    ['openai', 'o3-mini', 1.1, 4.4, 200_000, 100_000],
    ['anthropic', 'claude-3-haiku-20240307', 0.25, 1.25, 200_000, 4_096],
    ['anthropic', 'claude-3-opus-20240229', 15, 75, 200_000, 4_096],
    ['anthropic', 'claude-3-5-sonnet-20241022', 3, 15, 200_000, 8_192],
    ['anthropic', 'claude-3-7-sonnet-20250219', 3, 15, 200_000, 64_000],
    ['anthropic', 'claude-sonnet-4-20250514', 3, 15, 200_000, 64_000],
    ['anthropic', 'claude-opus-4-20250514', 15, 75, 200_000, 32_000],
    ['bedrock', 'us.anthropic.claude-3-5-haiku-20241022-v1:0', 0.8, 4, 200_000, 8_192],
    ['bedrock', 'meta.llama3-70b-instruct-v1:0', 2.65, 3.5, 8_192, 8_192],
    ['gemini', 'gemini-3-pro-preview', 2, 12, 1_048_576, 65_536],
    ['gemini', 'gemini-2.5-pro', 1.25, 10, 1_048_576, 65_535],
    ['gemini', 'gemini-2.5-flash', 0.3, 2.5, 1_048_576, 65_535],
    ['gemini', 'gemini-2.0-flash', 0.1, 0.4, 1_048_576, 8_192],
  ])('%s %s costs %d/%d per 1M tokens with %d context and %d max output', (kind, id, input, output, context, maxOut) => {
    const model = findModel(id, kind);
    expect(model?.providerModelId).toBe(id);
    expect(model?.price.inputUsdPerMTok).toBe(input);
    expect(model?.price.outputUsdPerMTok).toBe(output);
    expect(model?.contextWindow).toBe(context);
    expect(model?.maxOutputTokens).toBe(maxOut);
  });

  it.each([
    ['claude-3-5-sonnet-latest', 'claude-3-5-sonnet-20241022'],
    ['claude-3-7-sonnet-latest', 'claude-3-7-sonnet-20250219'],
    ['claude-3-5-haiku-latest', 'claude-3-5-haiku-20241022'],
    ['claude-sonnet-4-0', 'claude-sonnet-4-20250514'],
    ['claude-opus-4-0', 'claude-opus-4-20250514'],
    ['claude-3-opus-latest', 'claude-3-opus-20240229'],
    ['claude-3-5-sonnet', 'claude-3-5-sonnet-20241022'],
    ['claude-3-opus', 'claude-3-opus-20240229'],
    ['claude-3-haiku', 'claude-3-haiku-20240307'],
    ['claude-sonnet-4', 'claude-sonnet-4-20250514'],
    ['claude-opus-4', 'claude-opus-4-20250514'],
  ])('Anthropic serves %s as %s', (name, anthropicId) => {
    expect(findModel(name, 'anthropic')?.providerModelId).toBe(anthropicId);
  });

  it.each([
    ['claude-3-5-sonnet', 'anthropic.claude-3-5-sonnet-20241022-v2:0'],
    ['claude-3-5-sonnet-20240620', 'anthropic.claude-3-5-sonnet-20240620-v1:0'],
    ['claude-3-5-haiku', 'us.anthropic.claude-3-5-haiku-20241022-v1:0'],
    ['meta.llama3-1-70b-instruct-v1:0', 'meta.llama3-1-70b-instruct-v1:0'],
    ['amazon.titan-embed-text-v2:0', 'amazon.titan-embed-text-v2:0'],
    ['amazon.nova-lite-v1:0', 'amazon.nova-lite-v1:0'],
  ])('Bedrock serves %s as %s', (name, bedrockId) => {
    expect(findModel(name, 'bedrock')?.providerModelId).toBe(bedrockId);
  });

  it.each(MODEL_CATALOG.map((model) => [model.kind, model.canonicalName, model]))(
    '%s %s: every name it carries resolves to its canonical model',
    (_kind, _name, model) => {
      for (const name of [model.canonicalName, model.providerModelId, ...model.aliases]) {
        expect(findModel(name)?.canonicalName).toBe(model.canonicalName);
        expect(findModel(name, model.kind)).toBe(model);
      }
    },
  );

  it('has one entry per kind and canonical name', () => {
    const keys = MODEL_CATALOG.map((model) => `${model.kind}:${model.canonicalName}`);
    expect(new Set(keys).size).toBe(keys.length);
  });

  it.each(MODEL_CATALOG.filter((model) => model.capabilities.embeddings).map((model) => [model.kind, model.canonicalName, model]))(
    '%s embedding model %s has no output price or output tokens',
    (_kind, _name, model) => {
      expect(model.price.outputUsdPerMTok).toBe(0);
      expect(model.maxOutputTokens).toBe(0);
    },
  );

  it('marks exactly the embedding models as embeddings', () => {
    const embeddingNames = MODEL_CATALOG.filter((model) => model.capabilities.embeddings).map((model) => model.canonicalName);
    expect(new Set(embeddingNames)).toEqual(
      new Set([
        'text-embedding-3-small',
        'text-embedding-3-large',
        'amazon.titan-embed-text-v2:0',
        'amazon.titan-embed-text-v1',
        'cohere.embed-english-v3',
        'cohere.embed-multilingual-v3',
        'gemini-embedding-001',
      ]),
    );
  });
});
