import { ProviderModelCatalog } from '@ai-gateway/model-catalog';
import type { FallbackMap } from './fallback-map';
import { buildRoutePlan, type RoutePlan, type RoutePlanProvider } from './route-plan';

const provider = (id: string, kind: string, models: string[] = [], enabled = true, baseUrl = `https://${id}.example/v1`): RoutePlanProvider => ({
  id, kind, baseUrl, enabled, models,
});

const PROVIDERS: RoutePlanProvider[] = [
  provider('openai', 'openai'),
  provider('anthropic', 'anthropic'),
  provider('bedrock', 'bedrock'),
  // A second OpenAI account: on OpenAI's host, it serves OpenAI's catalog.
  provider('backup', 'openai', [], true, 'https://api.openai.com/v1'),
  provider('vllm', 'openai', ['llama-3.1-70b', 'meta-llama/Llama-3-8B', 'openai/gpt-oss-20b']),
  provider('azure', 'azure-openai', [], false),
];
const ALL_KEYS = ['openai', 'anthropic', 'bedrock', 'backup', 'vllm', 'azure'];

interface Case {
  readonly requestedModel: string;
  readonly keys?: readonly string[];
  readonly fallbacks?: FallbackMap;
  readonly providers?: readonly RoutePlanProvider[];
}

function plan({ requestedModel, keys = ALL_KEYS, fallbacks = {}, providers = PROVIDERS }: Case): RoutePlan {
  return buildRoutePlan({
    requestedModel,
    providers,
    providersWithKeys: new Set(keys),
    fallbacks,
    catalog: ProviderModelCatalog.fromSnapshot({ providers }),
  });
}

/** `provider:model`, `+` when via a fallback, `<requested` when the served name differs from the request. */
function summarize(result: RoutePlan, requestedModel: string): string[] {
  return result.candidates.map(
    (candidate) =>
      `${candidate.viaFallback ? '+' : ''}${candidate.providerId}:${candidate.model}` +
      (candidate.requestedModel === requestedModel ? '' : `<${candidate.requestedModel}`),
  );
}

describe('buildRoutePlan candidates', () => {
  it.each<[string, Case, string[]]>([
    ['every enabled provider with a key, in priority order', { requestedModel: 'gpt-4o' },
      ['openai:gpt-4o', 'backup:gpt-4o']],
    ['a model the catalog does not know, pinned, goes to that provider as named', { requestedModel: 'vllm/qwen3-32b-finetune' },
      ['vllm:qwen3-32b-finetune<qwen3-32b-finetune']],
    ['a new model pinned to OpenAI goes there too (it answers for it)', { requestedModel: 'openai/gpt-6-preview' },
      ['openai:gpt-6-preview<gpt-6-preview']],
    ['an OpenAI-compatible server serves a catalog model only when it declares it', {
      requestedModel: 'gpt-4o-mini',
      providers: [provider('vllm', 'openai', ['llama-3.1-70b']), provider('groq', 'openai', ['gpt-4o-mini']), provider('proxy', 'openai', ['gpt-4o-mini-2024-07-18'])],
      keys: ['vllm', 'groq', 'proxy'],
    }, ['groq:gpt-4o-mini', 'proxy:gpt-4o-mini-2024-07-18']],
    ['the built-in openai provider serves the catalog at any base URL (a proxy, a test fake)', {
      requestedModel: 'o1', providers: [provider('openai', 'openai', [], true, 'http://127.0.0.1:9/v1')], keys: ['openai'],
    }, ['openai:o1']],
    ['an alias maps to each provider model id', { requestedModel: 'claude-3-5-sonnet-latest' },
      ['anthropic:claude-3-5-sonnet-20241022', 'bedrock:anthropic.claude-3-5-sonnet-20241022-v2:0']],
    ['a provider without a key is skipped', { requestedModel: 'claude-3-5-sonnet', keys: ['bedrock'] },
      ['bedrock:anthropic.claude-3-5-sonnet-20241022-v2:0']],
    ['a disabled provider is skipped', { requestedModel: 'gpt-4o-mini', keys: ['azure', 'backup'] },
      ['backup:gpt-4o-mini']],
    ['priority order is the order given', { requestedModel: 'claude-3-5-sonnet', providers: [provider('bedrock', 'bedrock'), provider('anthropic', 'anthropic')] },
      ['bedrock:anthropic.claude-3-5-sonnet-20241022-v2:0', 'anthropic:claude-3-5-sonnet-20241022']],
    ['a name with a slash that is not a provider id', { requestedModel: 'meta-llama/Llama-3-8B' },
      ['vllm:meta-llama/Llama-3-8B']],
    ['a vLLM model whose name starts with a provider id', { requestedModel: 'openai/gpt-oss-20b' },
      ['vllm:openai/gpt-oss-20b']],
    ['fallbacks follow the requested model', {
      requestedModel: 'gpt-4o', keys: ['openai', 'anthropic'],
      fallbacks: { 'gpt-4o': ['claude-3-5-sonnet', 'gpt-4o-mini'] },
    }, ['openai:gpt-4o', '+anthropic:claude-3-5-sonnet-20241022<claude-3-5-sonnet', '+openai:gpt-4o-mini<gpt-4o-mini']],
    ['fallback chains are followed breadth-first', {
      requestedModel: 'gpt-4o', keys: ['openai', 'anthropic'],
      fallbacks: { 'gpt-4o': ['claude-3-5-sonnet', 'gpt-4o-mini'], 'claude-3-5-sonnet': ['claude-3-haiku'], 'gpt-4o-mini': ['gpt-3.5-turbo'] },
    }, ['openai:gpt-4o', '+anthropic:claude-3-5-sonnet-20241022<claude-3-5-sonnet', '+openai:gpt-4o-mini<gpt-4o-mini',
      '+anthropic:claude-3-haiku-20240307<claude-3-haiku', '+openai:gpt-3.5-turbo<gpt-3.5-turbo']],
    ['a cycle in the map ends', {
      requestedModel: 'gpt-4o', keys: ['openai'],
      fallbacks: { 'gpt-4o': ['gpt-4o-mini'], 'gpt-4o-mini': ['gpt-4o', 'gpt-4o-mini'] },
    }, ['openai:gpt-4o', '+openai:gpt-4o-mini<gpt-4o-mini']],
    ['no duplicate provider and model pairs', {
      requestedModel: 'claude-3-5-sonnet', keys: ['anthropic'],
      fallbacks: { 'claude-3-5-sonnet': ['claude-3-5-sonnet-latest', 'claude-3-5-sonnet-20241022', 'claude-3-opus'] },
    }, ['anthropic:claude-3-5-sonnet-20241022', '+anthropic:claude-3-opus-20240229<claude-3-opus']],
    ['fallbacks of the canonical name apply to an alias', {
      requestedModel: 'claude-3-5-sonnet-latest', keys: ['anthropic', 'openai'],
      fallbacks: { 'claude-3-5-sonnet': ['gpt-4o'] },
    }, ['anthropic:claude-3-5-sonnet-20241022', '+openai:gpt-4o<gpt-4o']],
    ['fallbacks serve a known model that no provider can take', {
      requestedModel: 'gpt-4o', keys: ['anthropic'],
      fallbacks: { 'gpt-4o': ['claude-3-5-sonnet'] },
    }, ['+anthropic:claude-3-5-sonnet-20241022<claude-3-5-sonnet']],
    ['a fallback entry may pin a provider', {
      requestedModel: 'gpt-4o', keys: ['openai', 'backup'],
      fallbacks: { 'gpt-4o': ['backup/gpt-4o-mini'] },
    }, ['openai:gpt-4o', 'backup:gpt-4o', '+backup:gpt-4o-mini<gpt-4o-mini']],
    ['an unknown fallback model is skipped', {
      requestedModel: 'gpt-4o', keys: ['openai'],
      fallbacks: { 'gpt-4o': ['no-such-model', 'gpt-4o-mini'] },
    }, ['openai:gpt-4o', '+openai:gpt-4o-mini<gpt-4o-mini']],
    ['a pinned provider only', { requestedModel: 'anthropic/claude-3-5-sonnet', fallbacks: { 'claude-3-5-sonnet': ['gpt-4o'] } },
      ['anthropic:claude-3-5-sonnet-20241022<claude-3-5-sonnet']],
    ['a pinned provider of an OpenAI-compatible model list', { requestedModel: 'vllm/meta-llama/Llama-3-8B' },
      ['vllm:meta-llama/Llama-3-8B<meta-llama/Llama-3-8B']],
    ['a pinned second account of a kind', { requestedModel: 'backup/gpt-4o', fallbacks: { 'gpt-4o': ['gpt-4o-mini'] } },
      ['backup:gpt-4o<gpt-4o']],
  ])('%s', (_case, input, expected) => {
    const result = plan(input);
    expect(summarize(result, input.requestedModel)).toEqual(expected);
    expect(result.reason).toBeUndefined();
  });

  it('fills every candidate field', () => {
    expect(plan({ requestedModel: 'claude-3-5-sonnet', keys: ['bedrock'] }).candidates).toEqual([
      {
        providerId: 'bedrock',
        kind: 'bedrock',
        baseUrl: 'https://bedrock.example/v1',
        model: 'anthropic.claude-3-5-sonnet-20241022-v2:0',
        requestedModel: 'claude-3-5-sonnet',
        maxOutputTokens: 8_192,
        viaFallback: false,
      },
    ]);
    expect(plan({ requestedModel: 'llama-3.1-70b' }).candidates[0]?.maxOutputTokens).toBeUndefined();
  });

  it.each([
    ['anthropic/claude-3-5-sonnet', 'anthropic'],
    ['vllm/llama-3.1-70b', 'vllm'],
    ['gpt-4o', undefined],
    ['meta-llama/Llama-3-8B', undefined],
    ['openai/gpt-oss-20b', undefined],
  ])('%j pins %j', (requestedModel, pinnedProvider) => {
    expect(plan({ requestedModel }).pinnedProvider).toBe(pinnedProvider);
  });
});

describe('buildRoutePlan without candidates', () => {
  it.each<[string, Case, RoutePlan]>([
    ['a name nobody knows', { requestedModel: 'gpt-5-imaginary' },
      { candidates: [], reason: 'unknown_model', unavailableProviders: [] }],
    ['names are case-sensitive', { requestedModel: 'GPT-4o' },
      { candidates: [], reason: 'unknown_model', unavailableProviders: [] }],
    ['an unknown name even with fallbacks', { requestedModel: 'my-model', fallbacks: { 'my-model': ['gpt-4o'] } },
      { candidates: [], reason: 'unknown_model', unavailableProviders: [] }],
    ['a pinned provider that does not serve the model', { requestedModel: 'anthropic/gpt-4o' },
      { candidates: [], pinnedProvider: 'anthropic', reason: 'unknown_model', unavailableProviders: [] }],
    ['known, but no provider holds a key', { requestedModel: 'claude-3-5-sonnet', keys: ['openai'] },
      { candidates: [], reason: 'no_provider', unavailableProviders: [
        { providerId: 'anthropic', requestedModel: 'claude-3-5-sonnet', cause: 'no_key' },
        { providerId: 'bedrock', requestedModel: 'claude-3-5-sonnet', cause: 'no_key' },
      ] }],
    ['known to the catalog, no provider of its kind configured', { requestedModel: 'gemini-1.5-pro' },
      { candidates: [], reason: 'no_provider', unavailableProviders: [] }],
    ['served only by a disabled provider', {
      requestedModel: 'text-embedding-3-small', keys: ['azure'],
      providers: [provider('azure', 'azure-openai', [], false)],
    }, { candidates: [], reason: 'no_provider', unavailableProviders: [
      { providerId: 'azure', requestedModel: 'text-embedding-3-small', cause: 'disabled' },
    ] }],
    ['fallbacks that cannot be served either', {
      requestedModel: 'gpt-4o', keys: [], fallbacks: { 'gpt-4o': ['claude-3-haiku'] },
      providers: [provider('openai', 'openai'), provider('anthropic', 'anthropic', [], false)],
    }, { candidates: [], reason: 'no_provider', unavailableProviders: [
      { providerId: 'openai', requestedModel: 'gpt-4o', cause: 'no_key' },
      { providerId: 'anthropic', requestedModel: 'claude-3-haiku', cause: 'disabled' },
    ] }],
    ['a pinned provider without a key', { requestedModel: 'backup/gpt-4o', keys: ['openai'] },
      { candidates: [], pinnedProvider: 'backup', reason: 'no_provider', unavailableProviders: [
        { providerId: 'backup', requestedModel: 'gpt-4o', cause: 'no_key' },
      ] }],
  ])('%s', (_case, input, expected) => {
    expect(plan(input)).toEqual(expected);
  });
});
