import { parsePinnedModel } from './pinned-model';

const providers = [{ id: 'openai' }, { id: 'anthropic' }, { id: 'vllm' }];

describe('parsePinnedModel', () => {
  it.each([
    ['anthropic/claude-3-5-sonnet', { providerId: 'anthropic', model: 'claude-3-5-sonnet' }],
    ['vllm/meta-llama/Llama-3-8B', { providerId: 'vllm', model: 'meta-llama/Llama-3-8B' }],
    ['openai/gpt-oss-20b', { providerId: 'openai', model: 'gpt-oss-20b' }],
    ['meta-llama/Llama-3-8B', undefined],
    ['gpt-4o', undefined],
    ['/gpt-4o', undefined],
    ['openai/', undefined],
    ['OpenAI/gpt-4o', undefined],
  ])('%j → %j', (requested, expected) => {
    expect(parsePinnedModel(requested, providers)).toEqual(expected);
  });
});
