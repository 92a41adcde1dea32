import { OpenAiRequestError, type ChatCompletion } from '@ai-gateway/openai-api';
import { thrownBy } from '../test/thrown-by';
import { toOpenAiUsage } from './anthropic-usage';
import { toAnthropicMessage } from './openai-to-anthropic.response';

// Shape of a recorded OpenAI tool-call answer (PROVIDERS.md §1).
const toolCompletion: ChatCompletion = {
  id: 'chatcmpl-C4Hq5toolB',
  object: 'chat.completion',
  created: 1755137921,
  model: 'gpt-4o-2024-08-06',
  choices: [
    {
      index: 0,
      message: {
        role: 'assistant',
        content: 'Checking.',
        refusal: null,
        tool_calls: [
          { id: 'call_Vx2', type: 'function', function: { name: 'get_weather', arguments: '{"location":"Paris"}' } },
          { id: 'call_Qm8', type: 'function', function: { name: 'get_time', arguments: '{"tz":' } },
        ],
      },
      logprobs: null,
      finish_reason: 'tool_calls',
    },
  ],
  usage: { prompt_tokens: 82, completion_tokens: 41, total_tokens: 123, prompt_tokens_details: { cached_tokens: 64 } },
};

describe('toAnthropicMessage', () => {
  it('maps text, tool calls (input objects), stop reason and usage with cache reads', () => {
    expect(toAnthropicMessage(toolCompletion)).toEqual({
      id: 'chatcmpl-C4Hq5toolB',
      type: 'message',
      role: 'assistant',
      model: 'gpt-4o-2024-08-06',
      content: [
        { type: 'text', text: 'Checking.' },
        { type: 'tool_use', id: 'call_Vx2', name: 'get_weather', input: { location: 'Paris' } },
        // Truncated arguments (the model ran out of tokens) are no object: an empty input, never a crash.
        { type: 'tool_use', id: 'call_Qm8', name: 'get_time', input: {} },
      ],
      stop_reason: 'tool_use',
      stop_sequence: null,
      usage: { input_tokens: 18, cache_creation_input_tokens: 0, cache_read_input_tokens: 64, output_tokens: 41 },
    });
  });

  it('usage read back by toOpenAiUsage gives the OpenAI numbers the usage event records', () => {
    const usage = toAnthropicMessage(toolCompletion).usage;
    expect(toOpenAiUsage(usage)).toEqual({ prompt_tokens: 82, completion_tokens: 41, total_tokens: 123, prompt_tokens_details: { cached_tokens: 64 } });
  });

  it('reasoning text becomes an unsigned thinking block before the text; null content gives no text block', () => {
    const completion = {
      ...toolCompletion,
      choices: [{ index: 0, message: { role: 'assistant', content: null, reasoning_content: 'Hmm.' }, logprobs: null, finish_reason: 'length' }],
      usage: undefined,
    };
    expect(toAnthropicMessage(completion)).toMatchObject({
      content: [{ type: 'thinking', thinking: 'Hmm.', signature: '' }],
      stop_reason: 'max_tokens',
      usage: { input_tokens: 0, output_tokens: 0, cache_read_input_tokens: 0, cache_creation_input_tokens: 0 },
    });
  });

  it("a refusal (structured outputs) reaches the client as text, not as an empty answer", () => {
    const completion = { ...toolCompletion, choices: [{ index: 0, message: { role: 'assistant', content: null, refusal: 'I cannot help with that.' }, logprobs: null, finish_reason: 'stop' }] };
    expect(toAnthropicMessage(completion).content).toEqual([{ type: 'text', text: 'I cannot help with that.' }]);
  });

  it.each([null, 'text', { choices: [] }, { id: 1, choices: [] }])('an unreadable upstream answer (%p) is a 502', (body) => {
    const error = thrownBy(() => toAnthropicMessage(body));
    expect(error).toBeInstanceOf(OpenAiRequestError);
    expect(error).toMatchObject({ status: 502, code: 'bad_upstream_response' });
  });
});
