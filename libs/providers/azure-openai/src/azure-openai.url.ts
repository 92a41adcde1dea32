import { OpenAiRequestError } from '@ai-gateway/openai-api';
import type { AzureSurface } from './azure-openai.settings';

export type AzureOperation = 'chat/completions' | 'embeddings';

/**
 * What Azure accepts as a deployment name (letters, digits, `.`, `_`, `-`; at most 64), with at
 * least one letter or digit so that `.` and `..` can never become path segments: the name is
 * placed in a URL path, and a pinned model (`azure/<name>`) comes from the client.
 */
const DEPLOYMENT_NAME = /^(?=.*[A-Za-z0-9])[A-Za-z0-9._-]{1,64}$/;

/**
 * The deployment a target model names: the router's catalog already replaced a model in the
 * provider's `deployments` by its deployment, and a model without one is called on a deployment
 * of its own name (Azure's common convention). Checked, since it becomes a path segment.
 */
export function azureDeploymentOf(model: string): string {
  const deployment = model;
  if (!DEPLOYMENT_NAME.test(deployment)) {
    throw new OpenAiRequestError(
      `The model \`${model.slice(0, 80)}\` has no usable Azure OpenAI deployment name (letters, digits, ".", "_", "-"; at most 64).`,
      404,
      'invalid_request_error',
      'model',
      'model_not_found',
    );
  }
  return deployment;
}

/**
 * The resource endpoint without a trailing slash, and without `/openai` or `/openai/v1` when an
 * operator pasted the SDK's base URL instead of the endpoint.
 */
export function azureEndpoint(baseUrl: string): string {
  return baseUrl.replace(/\/+$/, '').replace(/\/openai(\/v1)?$/i, '');
}

/** The URL of one operation on one deployment, on the provider's surface. */
export function azureOperationUrl(baseUrl: string, surface: AzureSurface, deployment: string, operation: AzureOperation): string {
  const endpoint = azureEndpoint(baseUrl);
  if (surface.kind === 'v1') return `${endpoint}/openai/v1/${operation}${surface.preview ? '?api-version=preview' : ''}`;
  return `${endpoint}/openai/deployments/${encodeURIComponent(deployment)}/${operation}?api-version=${encodeURIComponent(surface.apiVersion)}`;
}
