import { fixtureJson, thrownBy } from '../test/fixtures';
import { toOpenAiChatCompletion, UnreadableConverseResponse } from './bedrock-to-openai.response';

const CONTEXT = { model: 'anthropic.claude-3-5-sonnet-20241022-v2:0', requestId: '5f3c2d1e-0000-4000-8000-000000000001' };
const NOW = 1_733_000_000_000;

describe('toOpenAiChatCompletion', () => {
  it('maps a text answer: id from the request id, the requested model, finish reason and usage', () => {
    expect(toOpenAiChatCompletion(fixtureJson('converse-text-response.json'), CONTEXT, () => NOW)).toEqual({
      id: 'chatcmpl-5f3c2d1e-0000-4000-8000-000000000001',
      object: 'chat.completion',
      created: NOW / 1000,
      model: CONTEXT.model,
      choices: [{ index: 0, message: { role: 'assistant', content: 'Hello! How can I help you today?', refusal: null }, logprobs: null, finish_reason: 'stop' }],
      usage: { prompt_tokens: 12, completion_tokens: 11, total_tokens: 23, prompt_tokens_details: { cached_tokens: 0 } },
    });
  });

  it('maps toolUse blocks to tool calls with their input as the arguments string, and cache tokens into usage', () => {
    const completion = toOpenAiChatCompletion(fixtureJson('converse-two-tool-use-response.json'), CONTEXT, () => NOW);
    expect(completion.choices[0]).toEqual({
      index: 0,
      message: {
        role: 'assistant',
        content: "I'll check the weather in both cities.",
        refusal: null,
        tool_calls: [
          { id: 'tooluse_kZJMlvQmRJ6eAyJE5GIl7Q', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } },
          { id: 'tooluse_3TQb1VqfTtqFh0x2Wo0ouA', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Berlin","unit":"celsius"}' } },
        ],
      },
      logprobs: null,
      finish_reason: 'tool_calls',
    });
    expect(completion.usage).toEqual({ prompt_tokens: 1602, completion_tokens: 118, total_tokens: 1720, prompt_tokens_details: { cached_tokens: 1024 } });
  });

  it('answers content null for a message with tool calls only, and leaves reasoning blocks out', () => {
    const body = { output: { message: { role: 'assistant', content: [{ reasoningContent: { reasoningText: { text: 'hmm' } } }, { toolUse: { toolUseId: 't', name: 'f', input: {} } }] } }, stopReason: 'tool_use' };
    expect(toOpenAiChatCompletion(body, CONTEXT).choices[0].message).toEqual({ role: 'assistant', content: null, refusal: null, tool_calls: [{ id: 't', type: 'function', function: { name: 'f', arguments: '{}' } }] });
  });

  it.each<[string, unknown]>([
    ['null', null],
    ['no output', { stopReason: 'end_turn' }],
    ['content that is not a list', { output: { message: { content: 'hi' } } }],
    ['a block that is not an object', { output: { message: { content: [3] } } }],
    ['a toolUse block without an id', { output: { message: { content: [{ toolUse: { name: 'f' } }] } } }],
  ])('refuses %s as unreadable', (_name, body) => {
    expect(thrownBy(() => toOpenAiChatCompletion(body, CONTEXT))).toBeInstanceOf(UnreadableConverseResponse);
  });
});
