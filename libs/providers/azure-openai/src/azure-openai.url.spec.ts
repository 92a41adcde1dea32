import { OpenAiRequestError } from '@ai-gateway/openai-api';
import { AzureSettingsError, azureSurfaceOf, azureSettingsOf, DEFAULT_AZURE_API_VERSION } from './azure-openai.settings';
import { azureDeploymentOf, azureEndpoint, azureOperationUrl } from './azure-openai.url';
import type { ProviderTarget } from '@ai-gateway/proto';

describe('Azure OpenAI surfaces and URLs', () => {
  it.each([
    [{}, { kind: 'dated', apiVersion: DEFAULT_AZURE_API_VERSION }],
    [{ apiVersion: '' }, { kind: 'dated', apiVersion: DEFAULT_AZURE_API_VERSION }],
    [{ apiVersion: '2025-04-01-preview' }, { kind: 'dated', apiVersion: '2025-04-01-preview' }],
    [{ apiVersion: 'v1' }, { kind: 'v1', preview: false }],
    [{ apiVersion: 'V1' }, { kind: 'v1', preview: false }],
    [{ apiVersion: 'preview' }, { kind: 'v1', preview: true }],
  ])('settings %j choose %j', (settings, surface) => {
    expect(azureSurfaceOf(settings)).toEqual(surface);
  });

  it.each(['2024-10-21&x=1', 'latest', '2024-10-21/../../x'])('refuses apiVersion %s before it reaches a URL', (apiVersion) => {
    expect(() => azureSurfaceOf({ apiVersion })).toThrow(AzureSettingsError);
  });

  it.each([
    ['https://res.openai.azure.com', 'https://res.openai.azure.com'],
    ['https://res.openai.azure.com/', 'https://res.openai.azure.com'],
    ['https://res.openai.azure.com/openai', 'https://res.openai.azure.com'],
    ['https://res.openai.azure.com/openai/v1/', 'https://res.openai.azure.com'],
    ['http://127.0.0.1:4000/proxy', 'http://127.0.0.1:4000/proxy'],
  ])('endpoint %s is %s', (baseUrl, endpoint) => {
    expect(azureEndpoint(baseUrl)).toBe(endpoint);
  });

  it('puts the deployment and api-version in the dated URL, neither in the v1 URL', () => {
    expect(azureOperationUrl('https://res.openai.azure.com/', { kind: 'dated', apiVersion: '2024-10-21' }, 'my-gpt4o', 'chat/completions')).toBe(
      'https://res.openai.azure.com/openai/deployments/my-gpt4o/chat/completions?api-version=2024-10-21',
    );
    expect(azureOperationUrl('https://res.openai.azure.com', { kind: 'v1', preview: false }, 'my-gpt4o', 'embeddings')).toBe('https://res.openai.azure.com/openai/v1/embeddings');
    expect(azureOperationUrl('https://res.openai.azure.com', { kind: 'v1', preview: true }, 'my-gpt4o', 'chat/completions')).toBe(
      'https://res.openai.azure.com/openai/v1/chat/completions?api-version=preview',
    );
  });

  it('calls the deployment the target names (the router already applied the deployments map)', () => {
    expect(azureDeploymentOf('prod-gpt4o')).toBe('prod-gpt4o');
    expect(azureDeploymentOf('gpt-4.1')).toBe('gpt-4.1');
  });

  it.each(['..', '.', '../admin', 'a/b', 'a?b', 'a b', 'x'.repeat(65), ''])('refuses %j as a deployment name (it becomes a path segment)', (model) => {
    expect(() => azureDeploymentOf(model)).toThrow(OpenAiRequestError);
  });

  it('reads settings from the target, empty fields as unset', () => {
    const target = { settings: { apiVersion: '', deployments: { a: 'b' }, headers: {} } } as unknown as ProviderTarget;
    expect(azureSettingsOf(target)).toEqual({ apiVersion: undefined, headers: {} });
    expect(azureSettingsOf({ settings: { apiVersion: 'v1', headers: { a: 'b' } } } as unknown as ProviderTarget)).toEqual({ apiVersion: 'v1', headers: { a: 'b' } });
    expect(azureSettingsOf({} as ProviderTarget)).toEqual({});
  });
});
