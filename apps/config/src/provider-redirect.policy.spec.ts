import { ConfigError } from '@ai-gateway/service-kit';
import { ProviderRedirectPolicy } from './provider-redirect.policy';

describe('ProviderRedirectPolicy', () => {
  const policy = ProviderRedirectPolicy.parse(' api.openai.com , *.openai.azure.com,vllm ');

  it('lets a change within the same origin through (path, trailing slash)', () => {
    expect(policy.decide('https://evil.example/v1', 'https://evil.example/v2/', false)).toEqual({ kind: 'same-origin' });
  });

  it('refuses a new host, a new port and a new scheme unless confirmed', () => {
    for (const next of ['https://attacker.example/v1', 'https://api.example.com:8443/v1', 'http://api.example.com/v1']) {
      expect(policy.decide('https://api.example.com/v1', next, false)).toEqual({ kind: 'refused', from: 'https://api.example.com', to: new URL(next).origin });
      expect(policy.decide('https://api.example.com/v1', next, true)).toMatchObject({ kind: 'redirect', via: 'confirmed' });
    }
  });

  it('lets allow-listed hosts through: exact names and subdomains of a *. entry, not look-alikes', () => {
    expect(policy.decide('https://x.example/v1', 'https://api.openai.com/v1', false)).toMatchObject({ kind: 'redirect', via: 'allow-list' });
    expect(policy.decide('https://x.example/v1', 'https://team-a.openai.azure.com', false)).toMatchObject({ kind: 'redirect', via: 'allow-list' });
    expect(policy.decide('https://x.example/v1', 'http://vllm:8000/v1', false)).toMatchObject({ kind: 'redirect', via: 'allow-list' });
    for (const next of ['https://openai.azure.com', 'https://api.openai.com.attacker.example', 'https://evilopenai.azure.com', 'https://xapi.openai.com']) {
      expect(policy.decide('https://x.example/v1', next, false).kind).toBe('refused');
    }
  });

  it('allows nothing by default, and refuses a malformed list naming the variable', () => {
    expect(ProviderRedirectPolicy.parse('').decide('https://a.example', 'https://b.example', false).kind).toBe('refused');
    for (const bad of ['https://api.openai.com', 'api.openai.com/v1', '*', 'a b', 'host:8080']) {
      expect(() => ProviderRedirectPolicy.parse(bad)).toThrow(ConfigError);
      expect(() => ProviderRedirectPolicy.parse(bad)).toThrow(/PROVIDER_HOST_ALLOWLIST/);
    }
  });
});
