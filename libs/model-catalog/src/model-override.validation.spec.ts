import type { ModelOverride } from './model-override';
import { MODEL_OVERRIDE_LIMITS, modelOverrideProblem } from './model-override.validation';

const context = { providerIds: new Set(['openai', 'vllm']) };
const problemOf = (fields: Partial<ModelOverride> & { name: string }) => modelOverrideProblem({ providers: [], ...fields }, context);

describe('modelOverrideProblem', () => {
  it.each([
    ['a price of a catalog model', { name: 'gpt-4o', inputUsdPerMTok: 1 }],
    ['a free model', { name: 'gpt-4o', inputUsdPerMTok: 0, outputUsdPerMTok: 0 }],
    ['limits only', { name: 'gpt-4o', contextWindow: 8_000, maxOutputTokens: 0 }],
    ['a provider for a catalog model', { name: 'llama-3.1-70b-instruct', providers: ['vllm'] }],
    ['a new model', { name: 'acme-7b', inputUsdPerMTok: 1, outputUsdPerMTok: 2, providers: ['vllm'] }],
    ['a new model with a slash in its name', { name: 'meta-llama/Llama-3.3-70B', inputUsdPerMTok: 1, outputUsdPerMTok: 2, providers: ['vllm'] }],
    ['an Ollama tag', { name: 'qwen2.5:7b', inputUsdPerMTok: 0, outputUsdPerMTok: 0, providers: ['vllm'] }],
    ['the largest price', { name: 'gpt-4o', outputUsdPerMTok: MODEL_OVERRIDE_LIMITS.maxUsdPerMTok }],
  ])('accepts %s', (_case, fields) => {
    expect(problemOf(fields)).toBeUndefined();
  });

  it.each([
    ['an empty name', { name: '', inputUsdPerMTok: 1 }, 'name'],
    ['a name with a space', { name: 'gpt 4o', inputUsdPerMTok: 1 }, 'name'],
    ['a name with a control character', { name: 'gpt-4o\n', inputUsdPerMTok: 1 }, 'name'],
    ['a name starting with a slash', { name: '/gpt-4o', inputUsdPerMTok: 1 }, 'name'],
    ['a name too long', { name: 'a'.repeat(MODEL_OVERRIDE_LIMITS.maxNameLength + 1), inputUsdPerMTok: 1 }, 'name'],
    ['a name pinned to a provider', { name: 'vllm/acme', inputUsdPerMTok: 1, outputUsdPerMTok: 1, providers: ['vllm'] }, 'name'],
    ['a negative price', { name: 'gpt-4o', inputUsdPerMTok: -0.01 }, 'inputUsdPerMTok'],
    ['an infinite price', { name: 'gpt-4o', outputUsdPerMTok: Infinity }, 'outputUsdPerMTok'],
    ['NaN', { name: 'gpt-4o', outputUsdPerMTok: NaN }, 'outputUsdPerMTok'],
    ['a price past the maximum', { name: 'gpt-4o', inputUsdPerMTok: MODEL_OVERRIDE_LIMITS.maxUsdPerMTok + 1 }, 'inputUsdPerMTok'],
    ['a zero context window', { name: 'gpt-4o', contextWindow: 0 }, 'contextWindow'],
    ['a fractional output limit', { name: 'gpt-4o', maxOutputTokens: 10.5 }, 'maxOutputTokens'],
    ['an output limit past the maximum', { name: 'gpt-4o', maxOutputTokens: MODEL_OVERRIDE_LIMITS.maxTokens + 1 }, 'maxOutputTokens'],
    ['an unknown provider', { name: 'gpt-4o', providers: ['nope'] }, 'providers'],
    ['a provider twice', { name: 'gpt-4o', providers: ['vllm', 'vllm'] }, 'providers'],
    ['too many providers', { name: 'gpt-4o', providers: Array.from({ length: MODEL_OVERRIDE_LIMITS.maxProviders + 1 }, (_v, i) => `p${i}`) }, 'providers'],
    ['an override of a catalog model that sets nothing', { name: 'gpt-4o' }, 'name'],
    ['a new model without an input price', { name: 'acme-7b', outputUsdPerMTok: 1, providers: ['vllm'] }, 'inputUsdPerMTok'],
    ['a new model without providers', { name: 'acme-7b', inputUsdPerMTok: 1, outputUsdPerMTok: 1 }, 'providers'],
  ])('refuses %s', (_case, fields, param) => {
    expect(problemOf(fields)?.param).toBe(param);
  });

  it('bounds the text of its answer whatever the input', () => {
    const problem = problemOf({ name: 'gpt-4o', providers: Array.from({ length: 30 }, (_v, i) => `${'x'.repeat(5_000)}${i}`) });
    expect(problem?.message.length).toBeLessThan(600);
  });
});
