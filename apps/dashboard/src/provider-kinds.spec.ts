import { KIND_FIELDS, PROVIDER_KINDS } from '@ai-gateway/provider-kinds';
import { kindFieldsBody, kindFieldsSummary, kindInfo, parseDeployments, PROVIDER_KIND_INFO } from './provider-kinds';

describe('provider kinds in the dashboard', () => {
  // The dashboard is browser code and keeps its own copy (labels, hints); it must say what config validates.
  it('offers exactly the kinds config knows, each with every field the kind requires and none it does not take', () => {
    expect(PROVIDER_KIND_INFO.map((info) => info.kind)).toEqual(PROVIDER_KINDS);
    for (const info of PROVIDER_KIND_INFO) {
      const fields = KIND_FIELDS[info.kind];
      expect([info.kind, info.fields.filter((field) => !fields.allowed.includes(field.name)).map((field) => field.name)]).toEqual([info.kind, []]);
      expect([info.kind, info.fields.filter((field) => field.required).map((field) => field.name)]).toEqual([info.kind, [...fields.required]]);
    }
  });

  it('reads deployments as model=deployment pairs, and names a broken pair', () => {
    expect(parseDeployments(' gpt-4o = prod-4o, gpt-4o-mini=mini ,')).toEqual({ 'gpt-4o': 'prod-4o', 'gpt-4o-mini': 'mini' });
    expect(() => parseDeployments('gpt-4o=prod-4o, gpt-4o-mini')).toThrow('"gpt-4o-mini" is not model=deployment');
    expect(() => parseDeployments('a=b=c')).toThrow('"a=b=c" is not model=deployment');
  });

  it("sends only the kind's own fields, and leaves out empty optional ones", () => {
    const typed = { project: ' p-1 ', location: 'global', region: 'us-east-1', apiVersion: '', deployments: 'gpt-4o=d1' };
    expect(kindFieldsBody('vertex', typed)).toEqual({ project: 'p-1', location: 'global' });
    expect(kindFieldsBody('bedrock', typed)).toEqual({ region: 'us-east-1' });
    expect(kindFieldsBody('azure-openai', typed)).toEqual({ deployments: { 'gpt-4o': 'd1' } });
    expect(kindFieldsBody('openai', typed)).toEqual({});
  });

  it('takes a credential JSON for the kinds whose key can be one, and falls back to openai for an unknown kind', () => {
    expect(['vertex', 'bedrock', 'azure-openai'].map((kind) => kindInfo(kind).credentialJson)).toEqual([true, true, true]);
    expect(['openai', 'anthropic', 'gemini'].map((kind) => kindInfo(kind).credentialJson)).toEqual([false, false, false]);
    expect(kindInfo('no-such-kind').kind).toBe('openai');
  });

  it('summarises the fields that are set', () => {
    const base = { id: 'x', kind: 'azure-openai', baseUrl: 'https://r.openai.azure.com', enabled: true, priority: 0, models: [] };
    expect(kindFieldsSummary({ ...base, apiVersion: '2024-10-21', deployments: { 'gpt-4o': 'prod' } })).toBe('api-version 2024-10-21 · deployments gpt-4o→prod');
    expect(kindFieldsSummary(base)).toBe('');
  });
});
