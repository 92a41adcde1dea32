import type { ChatCompletionRequest } from '@ai-gateway/openai-api';
import { invalidParameter } from './invalid-parameter';

interface UnsupportedParameter {
  param: string;
  /** True when the request asks for something Converse cannot do. */
  asks(request: ChatCompletionRequest): boolean;
  reason: string;
}

const nonZero = (value: unknown): boolean => typeof value === 'number' && value !== 0;

// Anything not listed here and not translated (seed, store, metadata, user, service_tier,
// stream_options, parallel_tool_calls, zero penalties, response_format text) is dropped: Converse
// has no field for it and it does not ask for a different answer.
const UNSUPPORTED: readonly UnsupportedParameter[] = [
  { param: 'n', asks: (r) => typeof r.n === 'number' && r.n > 1, reason: 'only one choice (n=1) is supported' },
  { param: 'logprobs', asks: (r) => r.logprobs === true, reason: 'log probabilities are not available' },
  { param: 'top_logprobs', asks: (r) => nonZero(r.top_logprobs), reason: 'log probabilities are not available' },
  { param: 'logit_bias', asks: (r) => r.logit_bias != null && Object.keys(r.logit_bias).length > 0, reason: 'logit bias is not available' },
  {
    param: 'response_format',
    asks: (r) => r.response_format != null && r.response_format.type !== 'text',
    reason: 'JSON modes (json_object, json_schema) are not available; use tools instead',
  },
  { param: 'audio', asks: (r) => r.audio != null, reason: 'audio output is not available' },
  { param: 'modalities', asks: (r) => Array.isArray(r.modalities) && r.modalities.includes('audio'), reason: 'audio output is not available' },
  { param: 'frequency_penalty', asks: (r) => nonZero(r.frequency_penalty), reason: 'frequency penalties are not available' },
  { param: 'presence_penalty', asks: (r) => nonZero(r.presence_penalty), reason: 'presence penalties are not available' },
  { param: 'reasoning_effort', asks: (r) => r.reasoning_effort != null, reason: 'reasoning_effort is not available' },
  { param: 'functions', asks: (r) => r.functions != null, reason: 'legacy functions are not available; use tools' },
  { param: 'function_call', asks: (r) => r.function_call != null, reason: 'legacy function_call is not available; use tool_choice' },
];

/** Throws a 400 naming the first parameter Converse cannot honour. */
export function rejectUnsupportedParameters(request: ChatCompletionRequest): void {
  const unsupported = UNSUPPORTED.find((entry) => entry.asks(request));
  if (unsupported) {
    throw invalidParameter(unsupported.param, `Parameter '${unsupported.param}' is not supported by this model: ${unsupported.reason}.`);
  }
}
