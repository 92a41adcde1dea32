import { OpenAiRequestError, type ChatCompletionRequest, type TranslationTarget } from '@ai-gateway/openai-api';
import { thrownBy } from '../test/thrown-by';
import type { AnthropicMessagesRequest } from './anthropic.types';
import { toAnthropicMessagesRequest, toAnthropicUpstreamRequest } from './openai-to-anthropic.request';

const target: TranslationTarget = { model: 'claude-3-5-sonnet-20241022', maxOutputTokens: 8192 };
const base: ChatCompletionRequest = {
  model: 'claude-3-5-sonnet',
  messages: [
    { role: 'system', content: 'Be brief.' },
    { role: 'user', content: 'Hi' },
  ],
};
const translatedBase: AnthropicMessagesRequest = {
  model: 'claude-3-5-sonnet-20241022',
  max_tokens: 8192,
  system: 'Be brief.',
  messages: [{ role: 'user', content: [{ type: 'text', text: 'Hi' }] }],
};

describe('toAnthropicMessagesRequest', () => {
  const cases: Array<[string, Partial<ChatCompletionRequest>, TranslationTarget, Partial<AnthropicMessagesRequest>]> = [
    ['the target model and the catalog output limit', {}, target, {}],
    ['max_completion_tokens first', { max_completion_tokens: 100, max_tokens: 200 }, target, { max_tokens: 100 }],
    ['max_tokens', { max_tokens: 200 }, target, { max_tokens: 200 }],
    ['the default limit when the catalog does not know', {}, { model: 'claude-x', maxOutputTokens: 0 }, { model: 'claude-x', max_tokens: 4096 }],
    ['a stop string', { stop: 'END' }, target, { stop_sequences: ['END'] }],
    ['stop strings', { stop: ['END', '###'] }, target, { stop_sequences: ['END', '###'] }],
    ['temperature 0', { temperature: 0 }, target, { temperature: 0 }],
    ['temperature 1', { temperature: 1 }, target, { temperature: 1 }],
    ['top_p', { top_p: 0.9 }, target, { top_p: 0.9 }],
    ['user as metadata.user_id', { user: 'user-42' }, target, { metadata: { user_id: 'user-42' } }],
    ['stream', { stream: true, stream_options: { include_usage: true } }, target, { stream: true }],
    ['stream false', { stream: false }, target, {}],
    [
      'dropped harmless parameters',
      { seed: 1, store: false, metadata: { k: 'v' }, service_tier: 'auto', frequency_penalty: 0, presence_penalty: 0, n: 1 },
      target,
      {},
    ],
    [
      'tools and tool_choice',
      { tools: [{ type: 'function', function: { name: 'now' } }], tool_choice: 'required' },
      target,
      { tools: [{ name: 'now', input_schema: { type: 'object', properties: {} } }], tool_choice: { type: 'any' } },
    ],
  ];

  it.each(cases)('translates %s', (_name, extra, translationTarget, expected) => {
    expect(toAnthropicMessagesRequest({ ...base, ...extra }, translationTarget)).toEqual({ ...translatedBase, ...expected });
  });

  const refusals: Array<[string, Partial<ChatCompletionRequest>, string]> = [
    // Decision: OpenAI's 1–2 range has no Anthropic equivalent; refused rather than rescaled.
    ['temperature above 1', { temperature: 1.2 }, 'temperature'],
    ['temperature 2', { temperature: 2 }, 'temperature'],
    ['negative temperature', { temperature: -0.1 }, 'temperature'],
    ['max_tokens 0', { max_tokens: 0 }, 'max_tokens'],
    ['fractional max_completion_tokens', { max_completion_tokens: 10.5 }, 'max_completion_tokens'],
    ['n above 1', { n: 3 }, 'n'],
    ['json mode', { response_format: { type: 'json_object' } }, 'response_format'],
    ['bad tool arguments', { messages: [{ role: 'assistant', tool_calls: [{ id: 'a', type: 'function', function: { name: 'f', arguments: '{' } }] }] }, 'messages[0].tool_calls[0].function.arguments'],
  ];

  it.each(refusals)('refuses %s with a 400 naming the parameter', (_name, extra, param) => {
    const thrown = thrownBy(() => toAnthropicMessagesRequest({ ...base, ...extra }, target));
    expect(thrown).toBeInstanceOf(OpenAiRequestError);
    expect(thrown).toMatchObject({ status: 400, type: 'invalid_request_error', param });
  });
});

describe('toAnthropicUpstreamRequest', () => {
  it.each<[string, Record<string, string>, Record<string, string>]>([
    ['without client headers', {}, {}],
    ['passing anthropic-beta through', { 'anthropic-beta': 'prompt-caching-2024-07-31' }, { 'anthropic-beta': 'prompt-caching-2024-07-31' }],
    ['dropping other client headers', { authorization: 'Bearer sk-gateway', 'x-custom': '1' }, {}],
  ])('builds POST /v1/messages %s', (_name, clientHeaders, extraHeaders) => {
    const upstream = toAnthropicUpstreamRequest(base, target, 'sk-ant-api03-secret', clientHeaders);
    expect(upstream.path).toBe('/v1/messages');
    expect(upstream.headers).toEqual({
      'x-api-key': 'sk-ant-api03-secret',
      'anthropic-version': '2023-06-01',
      'content-type': 'application/json',
      ...extraHeaders,
    });
    expect(JSON.parse(upstream.body)).toEqual(translatedBase);
  });
});
