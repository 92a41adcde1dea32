import { costUsd } from './model-cost';
import { findModel } from './model-lookup';
import { ADDED_MODEL_KIND, effectiveCatalog, type ModelOverride } from './model-override';
import { ModelIndex } from './model-index';
import { ProviderModelCatalog, type CatalogProvider } from './provider-model-catalog';

const override = (name: string, fields: Partial<ModelOverride> = {}): ModelOverride => ({ name, providers: [], ...fields });
const indexOf = (overrides: ModelOverride[]): ModelIndex => new ModelIndex(effectiveCatalog(overrides));

describe('effectiveCatalog', () => {
  it('changes the price of every kind serving the model named, by any of its names, and keeps the rest', () => {
    const index = indexOf([override('claude-3-5-sonnet-latest', { inputUsdPerMTok: 1, outputUsdPerMTok: 2 })]);
    for (const kind of ['anthropic', 'bedrock']) {
      expect(index.find('claude-3-5-sonnet', kind)?.price).toMatchObject({ inputUsdPerMTok: 1, outputUsdPerMTok: 2 });
      expect(index.find('claude-3-5-sonnet', kind)?.contextWindow).toBe(findModel('claude-3-5-sonnet', kind)?.contextWindow);
    }
    expect(index.find('gpt-4o', 'openai')?.price).toEqual(findModel('gpt-4o', 'openai')?.price);
  });

  it('keeps the cached-input discount when the input price changes, and a price left out', () => {
    const builtIn = findModel('gpt-4o', 'openai');
    const entry = indexOf([override('gpt-4o', { inputUsdPerMTok: 5 })]).find('gpt-4o', 'openai');
    expect(entry?.price.inputUsdPerMTok).toBe(5);
    expect(entry?.price.outputUsdPerMTok).toBe(builtIn?.price.outputUsdPerMTok);
    expect(entry?.price.cachedInputUsdPerMTok).toBeCloseTo(5 * ((builtIn?.price.cachedInputUsdPerMTok ?? 0) / (builtIn?.price.inputUsdPerMTok ?? 1)), 12);
  });

  it('changes limits without touching prices', () => {
    const entry = indexOf([override('gpt-4o', { contextWindow: 1_000, maxOutputTokens: 10 })]).find('gpt-4o', 'azure-openai');
    expect(entry).toMatchObject({ contextWindow: 1_000, maxOutputTokens: 10 });
    expect(entry?.price).toEqual(findModel('gpt-4o', 'azure-openai')?.price);
  });

  it('adds a model the catalog does not know as kind `added`, priced and limited as given', () => {
    const index = indexOf([override('acme-7b', { inputUsdPerMTok: 0.5, outputUsdPerMTok: 1.5, maxOutputTokens: 2048, providers: ['vllm'] })]);
    const entry = index.find('acme-7b', ADDED_MODEL_KIND);
    expect(entry).toMatchObject({ canonicalName: 'acme-7b', providerModelId: 'acme-7b', maxOutputTokens: 2048, price: { inputUsdPerMTok: 0.5, outputUsdPerMTok: 1.5 } });
    expect(costUsd(entry as NonNullable<typeof entry>, { promptTokens: 1_000_000, completionTokens: 2_000_000 })).toBe(3.5);
    expect(index.find('acme-7b', 'openai')).toBeUndefined();
  });

  it('is the built-in catalog without overrides', () => {
    expect(effectiveCatalog([])).toHaveLength(new ModelIndex(effectiveCatalog([])).models.length);
    expect(indexOf([]).find('gpt-4o', 'openai')).toBe(findModel('gpt-4o', 'openai'));
  });
});

describe('ProviderModelCatalog with model overrides', () => {
  const openai: CatalogProvider = { id: 'openai', kind: 'openai', enabled: true, models: [] };
  const vllm: CatalogProvider = { id: 'vllm', kind: 'openai', enabled: true, models: [], baseUrl: 'http://vllm:8000/v1' };
  const anthropic: CatalogProvider = { id: 'anthropic', kind: 'anthropic', enabled: true, models: [] };
  const catalog = ProviderModelCatalog.fromSnapshot({
    providers: [openai, vllm, anthropic],
    modelOverrides: [
      override('acme-7b', { inputUsdPerMTok: 0.5, outputUsdPerMTok: 1.5, maxOutputTokens: 2048, providers: ['vllm'] }),
      override('llama-3.1-70b-instruct', { inputUsdPerMTok: 0.1, providers: ['vllm'] }),
      override('gpt-4o', { outputUsdPerMTok: 99 }),
    ],
  });

  it('serves an added model on the providers it names only, with its catalog entry', () => {
    expect(catalog.servesModel(vllm, 'acme-7b')).toMatchObject({ providerModelId: 'acme-7b', maxOutputTokens: 2048, catalogEntry: { kind: ADDED_MODEL_KIND } });
    expect(catalog.servesModel(openai, 'acme-7b')).toBeUndefined();
    expect(catalog.servesModel(anthropic, 'acme-7b')).toBeUndefined();
    expect(catalog.isKnownModel('acme-7b')).toBe(true);
  });

  it('adds a catalog model to an OpenAI-compatible server named by its override, at the overridden price', () => {
    const served = catalog.servesModel(vllm, 'llama-3.1-70b-instruct');
    expect(served?.providerModelId).toBe('llama-3.1-70b-instruct');
    expect(served?.catalogEntry?.price.inputUsdPerMTok).toBe(0.1);
  });

  it('prices what a provider served: its kind entry, else the added model', () => {
    expect(catalog.pricedEntry('gpt-4o', 'openai')?.price.outputUsdPerMTok).toBe(99);
    expect(catalog.pricedEntry('acme-7b', 'openai')?.price).toEqual({ inputUsdPerMTok: 0.5, outputUsdPerMTok: 1.5 });
    expect(catalog.pricedEntry('gemini-1.5-pro', 'vertex')?.kind).toBe('gemini');
    expect(catalog.pricedEntry('never-heard-of', 'openai')).toBeUndefined();
    // What an OpenAI-compatible server served from the openai-compatible catalog, at its overridden price.
    const llama = catalog.servesModel(vllm, 'llama-3.1-70b-instruct');
    expect(catalog.pricedEntry(llama?.providerModelId ?? '', 'openai')?.price.inputUsdPerMTok).toBe(0.1);
  });

  it('lists an added model under the providers that serve it', () => {
    const listed = catalog.listServableModels({ providersWithKeys: new Set(['openai', 'vllm', 'anthropic']) });
    expect(listed.find((model) => model.id === 'acme-7b')?.providerIds).toEqual(['vllm']);
  });
});
