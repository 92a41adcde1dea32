import { OpenAiRequestError, type ChatCompletionRequest } from '@ai-gateway/openai-api';
import { thrownBy } from '../test/thrown-by';
import { rejectUnsupportedParameters } from './openai-to-anthropic.unsupported';

const base: ChatCompletionRequest = { model: 'claude-3-haiku', messages: [{ role: 'user', content: 'Hi' }] };

describe('rejectUnsupportedParameters', () => {
  it.each<[string, Partial<ChatCompletionRequest>]>([
    ['n', { n: 2 }],
    ['logprobs', { logprobs: true }],
    ['top_logprobs', { top_logprobs: 5 }],
    ['logit_bias', { logit_bias: { '50256': -100 } }],
    ['response_format', { response_format: { type: 'json_object' } }],
    ['response_format', { response_format: { type: 'json_schema', json_schema: { name: 'x', schema: {} } } }],
    ['audio', { audio: { voice: 'alloy', format: 'mp3' } }],
    ['modalities', { modalities: ['text', 'audio'] }],
    ['frequency_penalty', { frequency_penalty: 0.5 }],
    ['presence_penalty', { presence_penalty: -1 }],
    ['reasoning_effort', { reasoning_effort: 'high' }],
    ['functions', { functions: [{ name: 'f' }] }],
    ['function_call', { function_call: 'auto' }],
  ])('refuses %s with a 400 naming it (%j)', (param, extra) => {
    const thrown = thrownBy(() => rejectUnsupportedParameters({ ...base, ...extra }));
    expect(thrown).toBeInstanceOf(OpenAiRequestError);
    expect(thrown).toMatchObject({ status: 400, type: 'invalid_request_error', param });
    expect((thrown as Error).message).toContain(param);
  });

  it.each<[string, Partial<ChatCompletionRequest>]>([
    ['n of 1', { n: 1 }],
    ['logprobs false', { logprobs: false }],
    ['top_logprobs 0', { top_logprobs: 0 }],
    ['an empty logit_bias', { logit_bias: {} }],
    ['response_format text', { response_format: { type: 'text' } }],
    ['zero penalties', { frequency_penalty: 0, presence_penalty: 0 }],
    ['null penalties', { frequency_penalty: null, presence_penalty: null }],
    ['text modalities', { modalities: ['text'] }],
    ['seed, store, metadata, service_tier, stream_options', { seed: 7, store: true, metadata: { a: 'b' }, service_tier: 'auto', stream_options: { include_usage: true } }],
  ])('lets %s through', (_name, extra) => {
    expect(() => rejectUnsupportedParameters({ ...base, ...extra })).not.toThrow();
  });
});
