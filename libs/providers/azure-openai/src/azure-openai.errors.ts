import type { ProviderError } from '@ai-gateway/openai-api';
import { openAiProviderError } from '@ai-gateway/providers-openai';

// Azure OpenAI errors are OpenAI-shaped with Azure's codes (recorded in test/fixtures):
// a filtered prompt is 400 {"error":{"code":"content_filter","param":"prompt","status":400,
// "innererror":{"code":"ResponsibleAIPolicyViolation",…}}}; a missing deployment is 404
// {"error":{"code":"DeploymentNotFound",…}}; rate limits are 429 {"error":{"code":"429",…}}
// with retry-after and retry-after-ms.

export interface AzureErrorContext {
  /** The deployment the request was sent to. */
  deployment: string;
  /** The model the client asked for (it may be the deployment's own name). */
  model: string;
}

const CONTENT_FILTER = 'content_filter';

/** An Azure OpenAI error answer in the gateway's terms. */
export function azureProviderError(upstreamStatus: number, bodyText: string, context: AzureErrorContext): ProviderError {
  const error = openAiProviderError(upstreamStatus, bodyText);
  if (upstreamStatus === 404 && (error.code === 'DeploymentNotFound' || isDeploymentMissingText(error.message))) {
    const named = context.deployment === context.model ? `"${context.deployment}"` : `"${context.deployment}" (for model ${context.model.slice(0, 80)})`;
    return {
      ...error,
      status: 404,
      type: 'invalid_request_error',
      code: 'deployment_not_found',
      param: 'model',
      message: `Azure OpenAI deployment ${named} does not exist on this resource; map the model to an existing deployment in the provider's deployments setting. Azure said: ${error.message}`,
      retryable: false,
    };
  }
  return contentFilterError(error);
}

/** An error event inside a 200 stream: a content-filter one is the client's (400, never retried), like its HTTP form. */
export function azureStreamError(error: ProviderError): ProviderError {
  return contentFilterError(error);
}

function contentFilterError(error: ProviderError): ProviderError {
  if (error.code !== CONTENT_FILTER) return error;
  return { ...error, status: 400, upstreamStatus: 400, type: 'invalid_request_error', param: error.param ?? 'prompt', retryable: false };
}

function isDeploymentMissingText(message: string): boolean {
  return /deployment for this resource does not exist/i.test(message);
}
