import type { CatalogModel } from './catalog-model.types';
import { ModelIndex } from './model-index';

const capabilities = { tools: true, vision: false, streaming: true, embeddings: false };
const price = { inputUsdPerMTok: 1, outputUsdPerMTok: 2 };
const entry = (canonicalName: string, kind: CatalogModel['kind'], providerModelId: string, aliases: string[] = []): CatalogModel => ({
  canonicalName, kind, providerModelId, aliases, contextWindow: 1000, maxOutputTokens: 100, price, capabilities,
});

const sonnetAnthropic = entry('sonnet', 'anthropic', 'sonnet-2024', ['sonnet-latest']);
const sonnetBedrock = entry('sonnet', 'bedrock', 'anthropic.sonnet-v2:0');
const gpt = entry('gpt', 'openai', 'gpt', ['gpt-2024']);
const gptAzure = entry('gpt', 'azure-openai', 'gpt');
const index = new ModelIndex([sonnetAnthropic, sonnetBedrock, gpt, gptAzure]);

describe('ModelIndex.find', () => {
  it.each<[string, string | undefined, CatalogModel | undefined]>([
    ['sonnet', undefined, sonnetAnthropic],
    ['sonnet-latest', undefined, sonnetAnthropic],
    ['sonnet-2024', undefined, sonnetAnthropic],
    ['anthropic.sonnet-v2:0', undefined, sonnetBedrock],
    ['sonnet', 'bedrock', sonnetBedrock],
    ['sonnet-latest', 'bedrock', sonnetBedrock],
    ['anthropic.sonnet-v2:0', 'anthropic', sonnetAnthropic],
    ['gpt', 'azure-openai', gptAzure],
    ['gpt-2024', 'azure-openai', gptAzure],
    ['gpt', 'anthropic', undefined],
    ['sonnet', 'gemini', undefined],
    ['Sonnet', undefined, undefined],
    ['SONNET-LATEST', 'anthropic', undefined],
    ['sonnet ', undefined, undefined],
    ['unknown', undefined, undefined],
    ['unknown', 'openai', undefined],
  ])('find(%j, %j)', (name, kind, expected) => {
    expect(index.find(name, kind)).toBe(expected);
  });
});

describe('ModelIndex.knows and ofKind', () => {
  it.each([
    ['sonnet', true],
    ['anthropic.sonnet-v2:0', true],
    ['gpt-2024', true],
    ['gpt-5', false],
  ])('knows(%j) is %j', (name, known) => {
    expect(index.knows(name)).toBe(known);
  });

  it.each<[string, CatalogModel[]]>([
    ['anthropic', [sonnetAnthropic]],
    ['openai', [gpt]],
    ['azure-openai', [gptAzure]],
    ['groq', []],
  ])('ofKind(%j)', (kind, expected) => {
    expect(index.ofKind(kind)).toEqual(expected);
  });
});
