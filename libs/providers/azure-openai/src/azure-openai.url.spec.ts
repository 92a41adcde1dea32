import { OpenAiRequestError } from '@ai-gateway/openai-api';
import { AzureSettingsError, azureSurfaceOf, azureSettingsOf, DEFAULT_AZURE_API_VERSION } from './azure-openai.settings';
import { azureDeploymentFor, azureEndpoint, azureOperationUrl } from './azure-openai.url';
import type { ProviderTarget } from '@ai-gateway/proto';

describe('Azure OpenAI surfaces and URLs', () => {
  it.each([
    [{}, { kind: 'dated', apiVersion: DEFAULT_AZURE_API_VERSION }],
    [{ apiVersion: '' }, { kind: 'dated', apiVersion: DEFAULT_AZURE_API_VERSION }],
    [{ apiVersion: '2025-04-01-preview' }, { kind: 'dated', apiVersion: '2025-04-01-preview' }],
    [{ apiVersion: 'v1' }, { kind: 'v1' }],
    [{ apiVersion: 'V1' }, { kind: 'v1' }],
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
    expect(azureOperationUrl('https://res.openai.azure.com', { kind: 'v1' }, 'my-gpt4o', 'embeddings')).toBe('https://res.openai.azure.com/openai/v1/embeddings');
  });

  it('maps a model to its deployment, else to a deployment of its own name', () => {
    const settings = { deployments: { 'gpt-4o': 'prod-gpt4o' } };
    expect(azureDeploymentFor('gpt-4o', settings)).toBe('prod-gpt4o');
    expect(azureDeploymentFor('gpt-4o-mini', settings)).toBe('gpt-4o-mini');
    expect(azureDeploymentFor('gpt-4.1', {})).toBe('gpt-4.1');
  });

  it.each(['..', '.', '../admin', 'a/b', 'a?b', 'a b', 'x'.repeat(65), ''])('refuses %j as a deployment name (it becomes a path segment)', (model) => {
    expect(() => azureDeploymentFor(model, {})).toThrow(OpenAiRequestError);
  });

  it('refuses a mapped deployment that is no deployment name', () => {
    expect(() => azureDeploymentFor('gpt-4o', { deployments: { 'gpt-4o': '../../x' } })).toThrow(/no usable Azure OpenAI deployment name/);
  });

  it('reads settings from the target, empty fields as unset', () => {
    const target = { settings: { apiVersion: '', deployments: { a: 'b' }, headers: {} } } as unknown as ProviderTarget;
    expect(azureSettingsOf(target)).toEqual({ apiVersion: undefined, deployments: { a: 'b' }, headers: {} });
    expect(azureSettingsOf({} as ProviderTarget)).toEqual({});
  });
});
