import { emptySettings, ProviderSettingsError, validateProviderSettings } from './provider-settings.validation';

describe('validateProviderSettings: keySelection', () => {
  it('takes least_recently_limited on any kind, stores round_robin (the default) as unset, and clears it', () => {
    const set = validateProviderSettings('anthropic', undefined, { fields: ['keySelection'], values: { ...emptySettings(), keySelection: 'least_recently_limited' } });
    expect(set.keySelection).toBe('least_recently_limited');
    const bedrock = validateProviderSettings('bedrock', { ...emptySettings(), region: 'us-east-1' }, { fields: ['keySelection'], values: { ...emptySettings(), keySelection: 'least_recently_limited' } });
    expect(bedrock).toMatchObject({ region: 'us-east-1', keySelection: 'least_recently_limited' });
    const back = validateProviderSettings('anthropic', set, { fields: ['keySelection'], values: { ...emptySettings(), keySelection: 'round_robin' } });
    expect(back.keySelection).toBeUndefined();
    const kept = validateProviderSettings('anthropic', set, { fields: [], values: undefined });
    expect(kept.keySelection).toBe('least_recently_limited');
  });

  it('refuses an unknown mode, naming the field', () => {
    const attempt = (): unknown => validateProviderSettings('openai', undefined, { fields: ['keySelection'], values: { ...emptySettings(), keySelection: 'random' } });
    expect(attempt).toThrow(ProviderSettingsError);
    expect(attempt).toThrow(/keySelection.*round_robin, least_recently_limited/);
  });
});
