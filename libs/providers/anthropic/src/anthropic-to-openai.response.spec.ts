import { OpenAiRequestError, type ChatCompletion } from '@ai-gateway/openai-api';
import { fixtureJson } from '../test/fixtures';
import { thrownBy } from '../test/thrown-by';
import { toOpenAiChatCompletion } from './anthropic-to-openai.response';

const target = { model: 'claude-requested', maxOutputTokens: 8192 };
const NOW_MS = 1_736_000_000_123;
const now = (): number => NOW_MS;

describe('toOpenAiChatCompletion', () => {
  const cases: Array<[string, unknown, ChatCompletion]> = [
    [
      'text-response.json',
      fixtureJson('text-response.json'),
      {
        id: 'msg_01XFDUDYJgAACzvnptvVoYEL',
        object: 'chat.completion',
        created: 1_736_000_000,
        model: 'claude-3-5-sonnet-20241022',
        choices: [
          {
            index: 0,
            message: { role: 'assistant', content: 'Hello! How can I help you today?', refusal: null },
            logprobs: null,
            finish_reason: 'stop',
          },
        ],
        usage: { prompt_tokens: 1040, completion_tokens: 9, total_tokens: 1049, prompt_tokens_details: { cached_tokens: 1024 } },
      },
    ],
    [
      'two-tool-use-response.json',
      fixtureJson('two-tool-use-response.json'),
      {
        id: 'msg_01Aq9w938a90dw8q',
        object: 'chat.completion',
        created: 1_736_000_000,
        model: 'claude-sonnet-4-20250514',
        choices: [
          {
            index: 0,
            message: {
              role: 'assistant',
              content: 'Let me look up both cities.',
              refusal: null,
              tool_calls: [
                { id: 'toolu_01T1x1fJ34qAmk2tNTrN7Up6', type: 'function', function: { name: 'get_weather', arguments: '{"location":"Paris"}' } },
                {
                  id: 'toolu_01RvXzDz4Yb3U7cRLZ2w8xKe',
                  type: 'function',
                  function: { name: 'get_time', arguments: '{"timezone":"Asia/Tokyo","format":{"hour12":false}}' },
                },
              ],
            },
            logprobs: null,
            finish_reason: 'tool_calls',
          },
        ],
        usage: { prompt_tokens: 512, completion_tokens: 98, total_tokens: 610, prompt_tokens_details: { cached_tokens: 0 } },
      },
    ],
    [
      'a tool-only response (no text; thinking ignored; model from the target)',
      {
        id: 'msg_x',
        type: 'message',
        role: 'assistant',
        model: '',
        content: [
          { type: 'thinking', thinking: 'hmm', signature: 'sig' },
          { type: 'tool_use', id: 'toolu_a', name: 'now', input: {} },
        ],
        stop_reason: 'tool_use',
        stop_sequence: null,
        usage: { input_tokens: 1, output_tokens: 2 },
      },
      {
        id: 'msg_x',
        object: 'chat.completion',
        created: 1_736_000_000,
        model: 'claude-requested',
        choices: [
          {
            index: 0,
            message: {
              role: 'assistant',
              content: null,
              refusal: null,
              tool_calls: [{ id: 'toolu_a', type: 'function', function: { name: 'now', arguments: '{}' } }],
            },
            logprobs: null,
            finish_reason: 'tool_calls',
          },
        ],
        usage: { prompt_tokens: 1, completion_tokens: 2, total_tokens: 3, prompt_tokens_details: { cached_tokens: 0 } },
      },
    ],
  ];

  it.each(cases)('translates %s', (_name, body, expected) => {
    expect(toOpenAiChatCompletion(body, target, now)).toEqual(expected);
  });

  it.each([
    ['the refusal stop reason', 'refusal', 'content_filter'],
    ['max_tokens', 'max_tokens', 'length'],
  ])('maps %s', (_name, stopReason, finishReason) => {
    const body = { ...fixtureJson<Record<string, unknown>>('text-response.json'), stop_reason: stopReason };
    expect(toOpenAiChatCompletion(body, target, now).choices[0].finish_reason).toBe(finishReason);
  });

  it.each<[string, unknown]>([
    ['null', null],
    ['a string', 'Internal Server Error'],
    ['an object without content', { id: 'msg_1' }],
    ['content blocks without a type', { id: 'msg_1', content: [{ text: 'x' }] }],
  ])('reports an unreadable body (%s) as a 502', (_name, body) => {
    const thrown = thrownBy(() => toOpenAiChatCompletion(body, target, now));
    expect(thrown).toBeInstanceOf(OpenAiRequestError);
    expect(thrown).toMatchObject({ status: 502, type: 'api_error' });
  });
});
