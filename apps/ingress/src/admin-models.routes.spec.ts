import type { ConfigSnapshot, Provider } from '@ai-gateway/proto';
import { effectiveModels } from './admin-models.routes';

const provider = (id: string, kind: string, baseUrl: string): Provider => ({ id, kind, baseUrl, enabled: true, priority: 0, models: [] });

const snapshot = (modelOverrides: ConfigSnapshot['modelOverrides']): Pick<ConfigSnapshot, 'providers' | 'modelOverrides'> => ({
  providers: [provider('openai', 'openai', 'https://api.openai.com/v1'), provider('azure', 'azure-openai', 'https://r.openai.azure.com'), provider('vllm', 'openai', 'http://vllm:8000/v1')],
  modelOverrides,
});

describe('effectiveModels (GET /admin/v1/models)', () => {
  it('lists a catalog model with its built-in values, the kinds with an entry and the providers serving it', () => {
    const gpt4o = effectiveModels(snapshot([])).find((row) => row.name === 'gpt-4o');
    expect(gpt4o).toMatchObject({ source: 'catalog', inputUsdPerMTok: 2.5, outputUsdPerMTok: 10, override: null, builtIn: { inputUsdPerMTok: 2.5, outputUsdPerMTok: 10 } });
    expect(gpt4o?.kinds).toEqual(expect.arrayContaining(['openai', 'azure-openai']));
    expect(gpt4o?.providers).toEqual(['openai', 'azure']);
  });

  it('shows an override by any name of the model on its canonical row, beside the built-in values', () => {
    const rows = effectiveModels(snapshot([{ name: 'gpt-4o-2024-08-06', outputUsdPerMTok: 99, providers: ['vllm'], updatedAt: '2026-12-01T00:00:00Z' }]));
    const gpt4o = rows.find((row) => row.name === 'gpt-4o');
    expect(gpt4o).toMatchObject({ source: 'override', outputUsdPerMTok: 99, builtIn: { outputUsdPerMTok: 10 }, override: { outputUsdPerMTok: 99, providers: ['vllm'] } });
    expect(gpt4o?.providers).toEqual(['openai', 'azure', 'vllm']);
    expect(rows.filter((row) => row.name === 'gpt-4o-2024-08-06')).toEqual([]);
  });

  it('lists an added model last, with no built-in values, served by the providers it names', () => {
    const rows = effectiveModels(snapshot([{ name: 'acme-7b', inputUsdPerMTok: 1, outputUsdPerMTok: 2, providers: ['vllm'], updatedAt: '' }]));
    expect(rows.at(-1)).toMatchObject({ name: 'acme-7b', source: 'override', kinds: ['added'], providers: ['vllm'], builtIn: null, inputUsdPerMTok: 1, outputUsdPerMTok: 2 });
  });
});
