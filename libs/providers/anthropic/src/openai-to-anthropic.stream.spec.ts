import type { ChatCompletionChunk } from '@ai-gateway/openai-api';
import { fixtureText } from '../test/fixtures';
import { AnthropicStreamParser } from './anthropic-stream.parser';
import type { AnthropicStreamEvent } from './anthropic.types';
import { OpenAiToAnthropicStream } from './openai-to-anthropic.stream';

/** The chunks of a recorded OpenAI SSE body (`data: <json>` events, `[DONE]` left out). */
function openAiChunks(name: string): ChatCompletionChunk[] {
  return fixtureText(name)
    .split('\n\n')
    .map((event) => event.replace(/^data: /, '').trim())
    .filter((data) => data !== '' && data !== '[DONE]')
    .map((data) => JSON.parse(data) as ChatCompletionChunk);
}

function translate(chunks: ChatCompletionChunk[]): AnthropicStreamEvent[] {
  const stream = new OpenAiToAnthropicStream('gpt-4o');
  return [...chunks.flatMap((chunk) => stream.push(chunk)), ...stream.end()];
}

function chunk(delta: Record<string, unknown>, finishReason: string | null = null): ChatCompletionChunk {
  return {
    id: 'chatcmpl-1',
    object: 'chat.completion.chunk',
    created: 1,
    model: 'deepseek-reasoner',
    choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }],
  } as ChatCompletionChunk;
}

describe('OpenAiToAnthropicStream', () => {
  it('turns a recorded two-tool-call stream into Anthropic events with input_json_delta and the usage in message_delta', () => {
    expect(translate(openAiChunks('openai-tool-call-stream.txt'))).toEqual([
      {
        type: 'message_start',
        message: {
          id: 'chatcmpl-C4Hq5toolA',
          type: 'message',
          role: 'assistant',
          model: 'gpt-4o-2024-08-06',
          content: [],
          stop_reason: null,
          stop_sequence: null,
          usage: { input_tokens: 0, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, output_tokens: 0 },
        },
      },
      { type: 'ping' },
      { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } },
      { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'Checking' } },
      { type: 'content_block_stop', index: 0 },
      { type: 'content_block_start', index: 1, content_block: { type: 'tool_use', id: 'call_Vx2xWnJ3hF0', name: 'get_weather', input: {} } },
      { type: 'content_block_delta', index: 1, delta: { type: 'input_json_delta', partial_json: '{"locati' } },
      { type: 'content_block_delta', index: 1, delta: { type: 'input_json_delta', partial_json: 'on":"Paris"}' } },
      { type: 'content_block_stop', index: 1 },
      { type: 'content_block_start', index: 2, content_block: { type: 'tool_use', id: 'call_Qm81LrTz0aA', name: 'get_time', input: {} } },
      { type: 'content_block_delta', index: 2, delta: { type: 'input_json_delta', partial_json: '{"tz":"CET"}' } },
      { type: 'content_block_stop', index: 2 },
      {
        type: 'message_delta',
        delta: { stop_reason: 'tool_use', stop_sequence: null },
        usage: { input_tokens: 18, cache_creation_input_tokens: 0, cache_read_input_tokens: 64, output_tokens: 41 },
      },
      { type: 'message_stop' },
    ]);
  });

  it('gives back the same OpenAI content and usage when its events are read by the Anthropic stream parser', () => {
    const events = translate(openAiChunks('openai-tool-call-stream.txt'));
    const sse = events.map((event) => `event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`).join('');
    const parser = new AnthropicStreamParser({ includeUsage: true, model: 'gpt-4o' });
    const outputs = [...parser.feed(new TextEncoder().encode(sse)), ...parser.finish()];
    const chunks = outputs.map((output) => (output.kind === 'chunk' ? output.chunk : undefined));
    const text = chunks.map((c) => c?.choices[0]?.delta.content ?? '').join('');
    const args = chunks.flatMap((c) => c?.choices[0]?.delta.tool_calls ?? []).map((call) => `${call.index}:${call.function?.arguments ?? ''}`);
    expect(text).toBe('Checking');
    expect(args.join('|')).toBe('0:|0:{"locati|0:on":"Paris"}|1:|1:{"tz":"CET"}');
    expect(parser.usage).toEqual({ prompt_tokens: 82, completion_tokens: 41, total_tokens: 123, prompt_tokens_details: { cached_tokens: 64 } });
    expect(parser.complete).toBe(true);
  });

  it('reasoning text from an OpenAI-compatible server becomes a thinking block without a signature', () => {
    const events = translate([chunk({ role: 'assistant', reasoning_content: 'Two plus ' }), chunk({ reasoning_content: 'two.' }), chunk({ content: '4' }), chunk({}, 'stop')]);
    expect(events.slice(2, 8)).toEqual([
      { type: 'content_block_start', index: 0, content_block: { type: 'thinking', thinking: '', signature: '' } },
      { type: 'content_block_delta', index: 0, delta: { type: 'thinking_delta', thinking: 'Two plus ' } },
      { type: 'content_block_delta', index: 0, delta: { type: 'thinking_delta', thinking: 'two.' } },
      { type: 'content_block_stop', index: 0 },
      { type: 'content_block_start', index: 1, content_block: { type: 'text', text: '' } },
      { type: 'content_block_delta', index: 1, delta: { type: 'text_delta', text: '4' } },
    ]);
    expect(events.some((event) => event.type === 'content_block_delta' && event.delta.type === 'signature_delta')).toBe(false);
  });

  it.each([
    ['length', 'max_tokens'],
    ['content_filter', 'refusal'],
    ['stop', 'end_turn'],
  ])('finish_reason %s closes the message with stop_reason %s', (finishReason, stopReason) => {
    const events = translate([chunk({ content: 'x' }), chunk({}, finishReason)]);
    expect(events.at(-2)).toMatchObject({ type: 'message_delta', delta: { stop_reason: stopReason } });
    expect(events.at(-1)).toEqual({ type: 'message_stop' });
  });

  it('a streamed refusal (structured outputs) reaches the client as text deltas', () => {
    const events = translate([chunk({ role: 'assistant', refusal: '' }), chunk({ refusal: 'I cannot ' }), chunk({ refusal: 'help.' }), chunk({}, 'stop')]);
    const text = events.flatMap((event) => (event.type === 'content_block_delta' && event.delta.type === 'text_delta' ? [event.delta.text] : [])).join('');
    expect(text).toBe('I cannot help.');
  });

  it('a late fragment of an earlier tool call still lands in that tool block', () => {
    const events = translate([
      chunk({ tool_calls: [{ index: 0, id: 'call_a', type: 'function', function: { name: 'a', arguments: '{"x"' } }] }),
      chunk({ tool_calls: [{ index: 1, id: 'call_b', type: 'function', function: { name: 'b', arguments: '{}' } }] }),
      chunk({ tool_calls: [{ index: 0, function: { arguments: ':1}' } }] }),
      chunk({}, 'tool_calls'),
    ]);
    const deltas = events.filter((event) => event.type === 'content_block_delta');
    expect(deltas).toEqual([
      { type: 'content_block_delta', index: 0, delta: { type: 'input_json_delta', partial_json: '{"x"' } },
      { type: 'content_block_delta', index: 1, delta: { type: 'input_json_delta', partial_json: '{}' } },
      { type: 'content_block_delta', index: 0, delta: { type: 'input_json_delta', partial_json: ':1}' } },
    ]);
  });

  it('an empty source stream still opens and closes a message, and nothing follows end()', () => {
    const stream = new OpenAiToAnthropicStream('gpt-4o');
    const events = stream.end();
    expect(events.map((event) => event.type)).toEqual(['message_start', 'ping', 'message_delta', 'message_stop']);
    expect(stream.push(chunk({ content: 'late' }))).toEqual([]);
    expect(stream.end()).toEqual([]);
  });
});
