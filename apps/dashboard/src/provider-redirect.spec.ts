import { movesToAnotherOrigin, redirectQuestion } from './provider-redirect';

describe('redirectQuestion', () => {
  it('names the provider, the old and the new origin, and that the keys go there', () => {
    expect(redirectQuestion({ id: 'openai', baseUrl: 'https://api.openai.com/v1' }, 'http://proxy.internal:8080/v1')).toBe(
      'Move openai from https://api.openai.com to http://proxy.internal:8080? Every request to openai then sends its provider keys to http://proxy.internal:8080.',
    );
  });

  it('shows an unparseable URL as typed rather than failing', () => {
    expect(redirectQuestion({ id: 'x', baseUrl: 'not a url' }, 'https://b.example/v1')).toContain('from not a url to https://b.example');
  });
});

describe('movesToAnotherOrigin', () => {
  it('is true for another host, port or scheme, false for another path on the same origin', () => {
    expect(movesToAnotherOrigin('https://api.openai.com/v1', 'https://api.openai.com/v2/')).toBe(false);
    expect(movesToAnotherOrigin('https://api.openai.com/v1', 'https://API.openai.com/v1')).toBe(false);
    for (const next of ['https://proxy.example/v1', 'https://api.openai.com:8443/v1', 'http://api.openai.com/v1']) {
      expect(movesToAnotherOrigin('https://api.openai.com/v1', next)).toBe(true);
    }
  });
});
