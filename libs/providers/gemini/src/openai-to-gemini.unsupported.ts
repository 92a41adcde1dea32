import type { ChatCompletionRequest } from '@ai-gateway/openai-api';
import { invalidParameter } from './invalid-parameter';

interface UnsupportedParameter {
  param: string;
  /** True when the request asks for something the translation cannot give. */
  asks(request: ChatCompletionRequest): boolean;
  reason: string;
}

const nonZero = (value: unknown): boolean => typeof value === 'number' && value !== 0;

// Anything not listed and not translated (store, metadata, service_tier, user, parallel_tool_calls,
// stream_options, response_format text) is dropped: it does not change the answer.
const UNSUPPORTED: readonly UnsupportedParameter[] = [
  { param: 'n', asks: (r) => typeof r.n === 'number' && r.n > 1, reason: 'only one choice (n=1) is supported' },
  { param: 'logprobs', asks: (r) => r.logprobs === true, reason: 'log probabilities are not available through the gateway' },
  { param: 'top_logprobs', asks: (r) => nonZero(r.top_logprobs), reason: 'log probabilities are not available through the gateway' },
  { param: 'logit_bias', asks: (r) => r.logit_bias != null && Object.keys(r.logit_bias).length > 0, reason: 'logit bias is not available' },
  { param: 'audio', asks: (r) => r.audio != null, reason: 'audio output is not available' },
  { param: 'modalities', asks: (r) => Array.isArray(r.modalities) && r.modalities.some((m) => m !== 'text'), reason: 'only text output is available' },
  { param: 'functions', asks: (r) => r.functions != null, reason: 'legacy functions are not available; use tools' },
  { param: 'function_call', asks: (r) => r.function_call != null, reason: 'legacy function_call is not available; use tool_choice' },
];

/** Throws a 400 naming the first parameter Gemini cannot honour. */
export function rejectUnsupportedParameters(request: ChatCompletionRequest): void {
  const unsupported = UNSUPPORTED.find((entry) => entry.asks(request));
  if (unsupported) throw invalidParameter(unsupported.param, `Parameter '${unsupported.param}' is not supported by this model: ${unsupported.reason}.`);
}
