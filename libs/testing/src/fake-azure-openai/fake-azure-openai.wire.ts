// Azure OpenAI answer shapes: OpenAI's, plus content-filter annotations (prompt_filter_results,
// per-choice content_filter_results) and Azure's error bodies.

const SAFE = { filtered: false, severity: 'safe' };
export const SAFE_RESULTS = { hate: SAFE, self_harm: SAFE, sexual: SAFE, violence: SAFE };
export const PROMPT_FILTER_RESULTS = [{ prompt_index: 0, content_filter_results: { ...SAFE_RESULTS, jailbreak: { filtered: false, detected: false } } }];

export function azureError(code: string, message: string, extra: Record<string, unknown> = {}): { error: Record<string, unknown> } {
  return { error: { code, message, ...extra } };
}

export const CONTENT_FILTER_ERROR = {
  error: {
    message:
      "The response was filtered due to the prompt triggering Azure OpenAI's content management policy. Please modify your prompt and retry. To learn more about our content filtering policies please read our documentation: https://go.microsoft.com/fwlink/?linkid=2198766",
    type: null,
    param: 'prompt',
    code: 'content_filter',
    status: 400,
    innererror: {
      code: 'ResponsibleAIPolicyViolation',
      content_filter_result: { ...SAFE_RESULTS, violence: { filtered: true, severity: 'high' } },
    },
  },
};

export const DEPLOYMENT_NOT_FOUND = azureError(
  'DeploymentNotFound',
  'The API deployment for this resource does not exist. If you created the deployment within the last 5 minutes, please wait a moment and try again.',
);

export const RESOURCE_NOT_FOUND = azureError('404', 'Resource not found');

export const ACCESS_DENIED = azureError(
  '401',
  'Access denied due to invalid subscription key or wrong API endpoint. Make sure to provide a valid key for an active subscription and use a correct regional API endpoint for your resource.',
);

export const TOKEN_REFUSED = azureError('PermissionDenied', 'Unauthorized. Access token is missing, invalid, audience is incorrect (https://cognitiveservices.azure.com), or have expired.');

export function rateLimitError(seconds: number): { error: Record<string, unknown> } {
  return azureError(
    '429',
    `Requests to the ChatCompletions_Create Operation under Azure OpenAI API version 2024-10-21 have exceeded token rate limit of your current OpenAI S0 pricing tier. Please retry after ${seconds} seconds.`,
  );
}

/** The prompt annotation that opens every Azure stream: no choices, only prompt_filter_results. */
export const PROMPT_ANNOTATION_CHUNK = { choices: [], created: 0, id: '', model: '', object: '', prompt_filter_results: PROMPT_FILTER_RESULTS };

/** An asynchronous-filter annotation: a choice without delta, with results and offsets. */
export function annotationChunk(finishReason: string | null, offset: number): Record<string, unknown> {
  return {
    id: '',
    object: '',
    created: 0,
    model: '',
    choices: [
      {
        index: 0,
        finish_reason: finishReason,
        content_filter_results: finishReason === 'content_filter' ? { violence: { filtered: true, severity: 'high' } } : SAFE_RESULTS,
        content_filter_offsets: { check_offset: offset, start_offset: 0, end_offset: offset },
      },
    ],
    usage: null,
  };
}
