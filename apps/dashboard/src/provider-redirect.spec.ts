import { redirectQuestion } from './provider-redirect';

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
