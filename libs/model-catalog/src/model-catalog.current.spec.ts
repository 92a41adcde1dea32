import { findModel } from './model-lookup';
import { ProviderModelCatalog, type CatalogProvider } from './provider-model-catalog';

// Current models with litellm's prices (model_prices_and_context_window.json as shipped in the
// pinned litellm 1.108.7): [kind, name, provider model id, input, output, cached input, context, max output, reasoning].
describe('current catalog entries', () => {
  it.each([
    ['openai', 'gpt-5', 'gpt-5', 1.25, 10, 0.125, 272_000, 128_000, true],
    ['openai', 'gpt-5-mini-2025-08-07', 'gpt-5-mini', 0.25, 2, 0.025, 272_000, 128_000, true],
    ['openai', 'gpt-5.2', 'gpt-5.2', 1.75, 14, 0.175, 272_000, 128_000, true],
    ['openai', 'o3', 'o3', 2, 8, 0.5, 200_000, 100_000, true],
    ['openai', 'o4-mini', 'o4-mini', 1.1, 4.4, 0.275, 200_000, 100_000, true],
    ['openai', 'gpt-4.1', 'gpt-4.1', 2, 8, 0.5, 1_047_576, 32_768, false],
    ['anthropic', 'claude-sonnet-4-5', 'claude-sonnet-4-5-20250929', 3, 15, 0.3, 200_000, 64_000, true],
    ['anthropic', 'claude-haiku-4-5', 'claude-haiku-4-5-20251001', 1, 5, 0.1, 200_000, 64_000, true],
    ['anthropic', 'claude-opus-4-5', 'claude-opus-4-5-20251101', 5, 25, 0.5, 200_000, 64_000, true],
    ['anthropic', 'claude-opus-4-1', 'claude-opus-4-1-20250805', 15, 75, 1.5, 200_000, 32_000, true],
    ['anthropic', 'claude-sonnet-4-6', 'claude-sonnet-4-6', 3, 15, 0.3, 1_000_000, 128_000, true],
    ['azure-openai', 'gpt-4.1', 'gpt-4.1', 2, 8, 0.5, 1_047_576, 32_768, false],
    ['azure-openai', 'gpt-5', 'gpt-5', 1.25, 10, 0.125, 272_000, 128_000, true],
    ['azure-openai', 'o4-mini', 'o4-mini', 1.1, 4.4, 0.275, 200_000, 100_000, true],
    ['azure-openai', 'text-embedding-3-large', 'text-embedding-3-large', 0.143, 0, undefined, 8_191, 0, false],
    ['openai-compatible', 'mistral-large-latest', 'mistral-large-latest', 0.5, 1.5, 0.05, 262_144, 262_144, false],
    ['openai-compatible', 'llama-3.3-70b-instruct', 'meta-llama/Llama-3.3-70B-Instruct', 0.23, 0.4, undefined, 131_072, 131_072, false],
  ])('%s %s is %s at %d/%d (cached %s) per 1M tokens, %d context, %d max output, reasoning %s', (kind, name, id, input, output, cached, context, maxOut, reasoning) => {
    const model = findModel(name, kind);
    expect(model).toMatchObject({ kind, providerModelId: id, contextWindow: context, maxOutputTokens: maxOut });
    expect(model?.price).toEqual({ inputUsdPerMTok: input, outputUsdPerMTok: output, ...(cached === undefined ? {} : { cachedInputUsdPerMTok: cached }) });
    expect(model?.reasoning ?? false).toBe(reasoning);
  });

  it('serves the same canonical model from OpenAI and Azure OpenAI (fallback between them)', () => {
    for (const name of ['gpt-4o', 'gpt-4.1', 'gpt-5', 'o3']) {
      expect(findModel(name, 'openai')?.canonicalName).toBe(name);
      expect(findModel(name, 'azure-openai')?.canonicalName).toBe(name);
    }
  });
});

describe('models of OpenAI-compatible servers', () => {
  const mistral: CatalogProvider = { id: 'mistral', kind: 'openai', enabled: true, models: ['mistral-large-latest'], baseUrl: 'https://api.mistral.ai/v1' };
  const openai: CatalogProvider = { id: 'openai', kind: 'openai', enabled: true, models: [] };
  const azure: CatalogProvider = { id: 'azure', kind: 'azure-openai', enabled: true, models: [] };
  const catalog = ProviderModelCatalog.fromSnapshot({ providers: [openai, mistral, azure] });

  it('prices a declared Mistral model from the catalog', () => {
    const served = catalog.servesModel(mistral, 'mistral-large-latest');
    expect(served).toMatchObject({ providerModelId: 'mistral-large-latest', maxOutputTokens: 262_144 });
    expect(served?.catalogEntry?.price.inputUsdPerMTok).toBe(0.5);
  });

  it('never sends a Mistral or Llama model to OpenAI or Azure OpenAI', () => {
    for (const provider of [openai, azure]) {
      expect(catalog.servesModel(provider, 'mistral-large-latest')).toBeUndefined();
      expect(catalog.servesModel(provider, 'llama-3.3-70b-instruct')).toBeUndefined();
    }
  });

  it('serves an undeclared catalog model from no compatible server', () => {
    expect(catalog.servesModel(mistral, 'mistral-small-latest')).toBeUndefined();
  });
});

describe('a model pinned to its provider', () => {
  const vllm: CatalogProvider = { id: 'vllm', kind: 'openai', enabled: true, models: ['llama-3.1-70b'], baseUrl: 'http://vllm:8000/v1' };
  const azure: CatalogProvider = { id: 'azure', kind: 'azure-openai', enabled: true, models: [], settings: { deployments: { 'gpt-4o': 'prod-4o' } } };
  const catalog = ProviderModelCatalog.fromSnapshot({ providers: [vllm, azure] });

  it('passes a name the catalog does not know through to the pinned provider', () => {
    expect(catalog.servesModel(vllm, 'qwen3-32b')).toBeUndefined();
    expect(catalog.servesPinnedModel(vllm, 'qwen3-32b')).toEqual({ providerModelId: 'qwen3-32b', maxOutputTokens: undefined });
    expect(catalog.servesPinnedModel(azure, 'gpt-6-preview')).toEqual({ providerModelId: 'gpt-6-preview', maxOutputTokens: undefined });
  });

  it('serves a known name pinned as it serves it unpinned', () => {
    expect(catalog.servesPinnedModel(azure, 'gpt-4o')).toEqual(catalog.servesModel(azure, 'gpt-4o'));
    expect(catalog.servesPinnedModel(vllm, '')).toBeUndefined();
  });
});
