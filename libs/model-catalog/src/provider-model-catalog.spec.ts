import { findModel } from './model-lookup';
import { ProviderModelCatalog, type CatalogProvider } from './provider-model-catalog';

const provider = (id: string, kind: string, models: string[] = [], enabled = true): CatalogProvider => ({
  id, kind, models, enabled,
});

const openai = provider('openai', 'openai');
const anthropic = provider('anthropic', 'anthropic');
const bedrock = provider('bedrock', 'bedrock');
const vllm = provider('vllm', 'openai', ['llama-3.1-70b', 'meta-llama/Llama-3-8B', 'gpt-4o']);
const anthropicExtra = provider('anthropic-next', 'anthropic', ['claude-future-5']);
const disabledOllama = provider('ollama', 'openai', ['qwen2.5'], false);
/** A second OpenAI account: on OpenAI's host, so it serves OpenAI's catalog. */
const secondAccount: CatalogProvider = { ...provider('team-b', 'openai'), baseUrl: 'https://api.openai.com/v1' };
/** An OpenAI-compatible server declaring a catalog model by an alias. */
const groq: CatalogProvider = { ...provider('groq', 'openai', ['gpt-4o-mini-2024-07-18']), baseUrl: 'https://api.groq.com/openai/v1' };

/** Azure OpenAI with deployments named by the operator. */
const azure: CatalogProvider = {
  ...provider('azure', 'azure-openai'),
  settings: { deployments: { 'gpt-4o': 'prod-4o', 'my-finetune': 'ft-deploy-7' } },
};

const catalog = ProviderModelCatalog.fromSnapshot({
  providers: [openai, anthropic, bedrock, vllm, anthropicExtra, disabledOllama],
});

describe('ProviderModelCatalog.servesModel', () => {
  it.each([
    ['openai', openai, 'gpt-4o', 'gpt-4o', 16_384, true],
    ['openai', openai, 'gpt-4o-2024-08-06', 'gpt-4o', 16_384, true],
    ['anthropic', anthropic, 'claude-3-5-sonnet', 'claude-3-5-sonnet-20241022', 8_192, true],
    ['anthropic', anthropic, 'claude-3-5-sonnet-latest', 'claude-3-5-sonnet-20241022', 8_192, true],
    ['bedrock', bedrock, 'claude-3-5-sonnet', 'anthropic.claude-3-5-sonnet-20241022-v2:0', 8_192, true],
    ['bedrock', bedrock, 'claude-3-5-sonnet-20241022', 'anthropic.claude-3-5-sonnet-20241022-v2:0', 8_192, true],
    ['vllm', vllm, 'llama-3.1-70b', 'llama-3.1-70b', undefined, false],
    ['vllm', vllm, 'meta-llama/Llama-3-8B', 'meta-llama/Llama-3-8B', undefined, false],
    ['vllm', vllm, 'gpt-4o', 'gpt-4o', 16_384, true],
    ['anthropic-next', anthropicExtra, 'claude-future-5', 'claude-future-5', undefined, false],
    ['ollama (disabled: still serves)', disabledOllama, 'qwen2.5', 'qwen2.5', undefined, false],
    ['a second OpenAI account', secondAccount, 'o1-mini', 'o1-mini', 65_536, true],
    ['groq, by the canonical name of what it declares', groq, 'gpt-4o-mini', 'gpt-4o-mini-2024-07-18', 16_384, true],
    ['vertex, from the gemini catalog', provider('gcp', 'vertex'), 'gemini-1.5-pro', 'gemini-1.5-pro', 8_192, true],
    ['azure, through its deployment', azure, 'gpt-4o', 'prod-4o', 16_384, true],
    ['azure, through its deployment, by an alias', azure, 'gpt-4o-2024-08-06', 'prod-4o', 16_384, true],
    ['azure, a deployment of a model the catalog does not know', azure, 'my-finetune', 'ft-deploy-7', undefined, false],
  ])('%s serves %j as %j', (_id, servingProvider, name, providerModelId, maxOutputTokens, inCatalog) => {
    const served = catalog.servesModel(servingProvider, name);
    expect(served?.providerModelId).toBe(providerModelId);
    expect(served?.maxOutputTokens).toBe(maxOutputTokens);
    expect(served?.catalogEntry !== undefined).toBe(inCatalog);
  });

  it.each([
    ['openai', openai, 'claude-3-5-sonnet'],
    ['openai', openai, 'llama-3.1-70b'],
    ['anthropic', anthropic, 'gpt-4o'],
    ['anthropic', anthropic, 'Claude-3-5-Sonnet'],
    ['bedrock', bedrock, 'gpt-4o'],
    ['vllm', vllm, 'meta-llama/llama-3-8b'],
    // OpenAI-compatible servers serve only what they declare, never the rest of OpenAI's catalog.
    ['vllm', vllm, 'gpt-4o-mini'],
    ['vllm', vllm, 'o1'],
    ['groq', groq, 'gpt-4o'],
  ])('%s does not serve %j', (_id, servingProvider, name) => {
    expect(catalog.servesModel(servingProvider, name)).toBeUndefined();
  });

  it('returns the catalog entry of the provider kind', () => {
    expect(catalog.servesModel(bedrock, 'claude-3-5-sonnet')?.catalogEntry).toBe(findModel('claude-3-5-sonnet', 'bedrock'));
  });
});

describe('ProviderModelCatalog.isKnownModel', () => {
  it.each([
    ['gpt-4o', true],
    ['gemini-1.5-pro', true],
    ['anthropic.claude-3-5-sonnet-20241022-v2:0', true],
    ['llama-3.1-70b', true],
    ['qwen2.5', true],
    ['gpt-5-imaginary', false],
    ['GPT-4O', false],
  ])('%j is known: %j', (name, known) => {
    expect(catalog.isKnownModel(name)).toBe(known);
  });
});

describe('ProviderModelCatalog.listServableModels', () => {
  const ids = (withKeys: string[], includeProviderPinned = false) =>
    catalog.listServableModels({ providersWithKeys: new Set(withKeys), includeProviderPinned }).map((model) => model.id);

  it.each<[string, string[], string[], string[]]>([
    ['no keys: nothing', [], [], ['gpt-4o']],
    ['openai key: the OpenAI models', ['openai'], ['gpt-4o', 'o1-mini', 'text-embedding-3-large'], ['claude-3-5-sonnet', 'llama-3.1-70b']],
    ['anthropic key: the Anthropic canonical names only', ['anthropic'], ['claude-3-5-sonnet', 'claude-opus-4'], ['claude-3-5-sonnet-latest', 'gpt-4o']],
    ['vllm key: only what it declares', ['vllm'], ['llama-3.1-70b', 'meta-llama/Llama-3-8B', 'gpt-4o'], ['claude-3-5-sonnet', 'gpt-4o-mini', 'o1-mini']],
    ['disabled provider with a key: nothing of its own', ['ollama'], [], ['qwen2.5', 'gpt-4o']],
    ['bedrock key: Bedrock models under canonical names', ['bedrock'], ['claude-3-5-sonnet', 'meta.llama3-70b-instruct-v1:0'], ['gpt-4o']],
  ])('%s', (_case, withKeys, included, excluded) => {
    const listed = ids(withKeys);
    expect(listed).toEqual(expect.arrayContaining(included));
    for (const name of excluded) expect(listed).not.toContain(name);
    expect(new Set(listed).size).toBe(listed.length);
  });

  it('names every provider serving a model, in priority order', () => {
    const models = catalog.listServableModels({ providersWithKeys: new Set(['vllm', 'openai', 'anthropic', 'bedrock']) });
    expect(models.find((model) => model.id === 'gpt-4o')?.providerIds).toEqual(['openai', 'vllm']);
    expect(models.find((model) => model.id === 'claude-3-5-sonnet')?.providerIds).toEqual(['anthropic', 'bedrock']);
  });

  it('adds provider/model names on request', () => {
    const listed = ids(['vllm', 'anthropic'], true);
    expect(listed).toEqual(expect.arrayContaining(['vllm/llama-3.1-70b', 'vllm/meta-llama/Llama-3-8B', 'anthropic/claude-3-5-sonnet', 'claude-3-5-sonnet']));
    expect(ids(['vllm'])).not.toContain('vllm/llama-3.1-70b');
  });
});
