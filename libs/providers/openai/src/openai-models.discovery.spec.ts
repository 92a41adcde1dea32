import { MAX_DISCOVERED_MODELS, ModelDiscoveryError, readModelList } from './openai-models.discovery';

describe('readModelList', () => {
  it('reads the ids of an OpenAI model list, deduplicated', () => {
    const list = { object: 'list', data: [{ id: 'gpt-4o', object: 'model', created: 1, owned_by: 'system' }, { id: 'llama-3.1-8b' }, { id: 'gpt-4o' }] };
    expect(readModelList(JSON.stringify(list))).toEqual({ models: ['gpt-4o', 'llama-3.1-8b'], truncated: false });
  });

  it('skips what is no model id', () => {
    const list = { data: [{ id: '' }, { id: 42 }, { id: 'a\nb' }, { id: 'x'.repeat(300) }, null, { name: 'n' }, { id: 'ok' }] };
    expect(readModelList(JSON.stringify(list)).models).toEqual(['ok']);
  });

  it('cuts a list longer than the bound and says so', () => {
    const data = Array.from({ length: MAX_DISCOVERED_MODELS + 5 }, (_, i) => ({ id: `m-${i}` }));
    const read = readModelList(JSON.stringify({ data }));
    expect(read.models).toHaveLength(MAX_DISCOVERED_MODELS);
    expect(read.truncated).toBe(true);
  });

  it.each(['<html>', '{"models":[]}', '[]'])('refuses %s', (text) => {
    expect(() => readModelList(text)).toThrow(ModelDiscoveryError);
  });
});
