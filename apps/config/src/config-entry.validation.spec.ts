import { EntryShapeError, readStoredApiKey, readStoredModelOverride, readStoredProvider, readStoredTeam } from './config-entry.validation';

const provider = { id: 'a', kind: 'openai', baseUrl: 'http://a/v1', enabled: true, models: ['m'], createdAt: '2024-01-01T00:00:00Z' };

describe('stored config entries: what is applied', () => {
  it.each([
    ['null', null, /must be a JSON object/],
    ['a list', [provider], /must be a JSON object/],
    ['no createdAt', { ...provider, createdAt: undefined }, /"createdAt" must be a string/],
    ['models that are not strings', { ...provider, models: [1] }, /"models" must be a list of strings/],
    ['an id other than its key', { ...provider, id: 'b' }, /"id" must be the one the key names/],
    ['a header that is no string', { ...provider, settings: { headers: { 'x-a': 1 } } }, /settings.headers/],
  ])('refuses a provider entry with %s, naming the field and never a value', (_case, value, message) => {
    const read = () => readStoredProvider('a', value);
    expect(read).toThrow(EntryShapeError);
    expect(read).toThrow(message);
  });

  it('reads a provider stored before kind fields existed with empty ones', () => {
    expect(readStoredProvider('a', provider)).toEqual({ ...provider, settings: { headers: {}, project: '', location: '', region: '', apiVersion: '', deployments: {} } });
  });

  it('refuses a team without a name or with malformed limits, and reads a key written before teams existed', () => {
    expect(() => readStoredTeam('team_x', { id: 'team_x' })).toThrow('"name" must be a string');
    expect(() => readStoredTeam('team_x', null)).toThrow(EntryShapeError);
    expect(() => readStoredTeam('team_x', { id: 'team_x', name: 't', limits: { rpm: 'many' } })).toThrow('"limits"');
    expect(readStoredApiKey('key_1', { id: 'key_1', name: 'k', keySha256: 'ab', allowedModels: [], createdAt: '2024-01-01T00:00:00Z' })).toEqual({
      id: 'key_1',
      name: 'k',
      keySha256: 'ab',
      allowedModels: [],
      createdAt: '2024-01-01T00:00:00Z',
      teamId: '',
      budget: undefined,
      limits: undefined,
      expiresAt: '',
    });
    expect(() => readStoredApiKey('key_1', { id: 'key_1', name: 'k' })).toThrow('"keySha256" must be a string');
  });

  it('refuses a model override whose token counts would not encode', () => {
    expect(() => readStoredModelOverride('m', { name: 'm', providers: [], contextWindow: 2 ** 40 })).toThrow('"contextWindow" must be a whole number');
    expect(readStoredModelOverride('m', { name: 'm', providers: ['a'], contextWindow: 8192 })).toEqual({ name: 'm', providers: ['a'], contextWindow: 8192, updatedAt: '' });
  });
});
