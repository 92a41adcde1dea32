import type { ChatCompletionChunk, ChatStreamOutput } from '@ai-gateway/openai-api';
import { CHUNK_SIZES, chunked, errorFrame, frame, streamBytes } from '../test/fixtures';
import { MAX_FRAME_BYTES } from './bedrock-event-stream.decoder';
import { BedrockStreamParser } from './bedrock-stream.parser';

const MODEL = 'anthropic.claude-3-5-sonnet-20241022-v2:0';
const NOW = 1_733_000_000_000;

function parse(bytes: Uint8Array, size: number, includeUsage = true): { outputs: ChatStreamOutput[]; parser: BedrockStreamParser } {
  const parser = new BedrockStreamParser({ includeUsage, model: MODEL, requestId: 'req-1' }, () => NOW);
  const outputs = chunked(bytes, size).flatMap((piece) => parser.feed(piece));
  return { outputs: [...outputs, ...parser.finish()], parser };
}

const chunks = (outputs: ChatStreamOutput[]): ChatCompletionChunk[] => outputs.flatMap((output) => (output.kind === 'chunk' ? [output.chunk] : []));
const deltas = (outputs: ChatStreamOutput[]) => chunks(outputs).flatMap((chunk) => chunk.choices.map((choice) => ({ ...choice.delta, finish: choice.finish_reason })));

/** What an OpenAI client assembles from the tool call deltas (as the openai SDK's stream helper does). */
function assembleToolCalls(outputs: ChatStreamOutput[]): Array<{ id: string; name: string; arguments: string }> {
  const calls: Array<{ id: string; name: string; arguments: string }> = [];
  for (const delta of deltas(outputs)) {
    for (const call of delta.tool_calls ?? []) {
      calls[call.index] ??= { id: '', name: '', arguments: '' };
      if (call.id) calls[call.index].id = call.id;
      if (call.function?.name) calls[call.index].name += call.function.name;
      calls[call.index].arguments += call.function?.arguments ?? '';
    }
  }
  return calls;
}

describe('BedrockStreamParser', () => {
  describe.each(CHUNK_SIZES)('fed in %s pieces', (_name, size) => {
    it('maps a text stream to a role chunk, content deltas, the finish reason and the usage chunk', () => {
      const { outputs, parser } = parse(streamBytes('text-stream.json'), size);
      expect(deltas(outputs)).toEqual([
        { role: 'assistant', content: '', finish: null },
        { content: 'Hello', finish: null },
        { content: '! How can I', finish: null },
        { content: ' help?', finish: null },
        { finish: 'stop' },
      ]);
      expect(chunks(outputs).at(-1)).toEqual({
        id: 'chatcmpl-req-1',
        object: 'chat.completion.chunk',
        created: NOW / 1000,
        model: MODEL,
        choices: [],
        usage: { prompt_tokens: 12, completion_tokens: 8, total_tokens: 20, prompt_tokens_details: { cached_tokens: 0 } },
      });
      expect(chunks(outputs).slice(0, -1).every((chunk) => chunk.usage === null && chunk.id === 'chatcmpl-req-1')).toBe(true);
      expect(parser.complete).toBe(true);
      expect(parser.responseModel).toBe(MODEL);
    });

    it('assembles two streamed tool calls exactly: id and name from contentBlockStart, arguments from partial JSON', () => {
      const { outputs, parser } = parse(streamBytes('two-tool-use-stream.json'), size);
      expect(assembleToolCalls(outputs)).toEqual([
        { id: 'tooluse_kZJMlvQmRJ6eAyJE5GIl7Q', name: 'get_weather', arguments: '{"city": "Paris"}' },
        { id: 'tooluse_3TQb1VqfTtqFh0x2Wo0ouA', name: 'get_time', arguments: '{"utc_offset": 2}' },
      ]);
      expect(deltas(outputs).filter((delta) => delta.tool_calls?.[0]?.id)).toEqual([
        { tool_calls: [{ index: 0, id: 'tooluse_kZJMlvQmRJ6eAyJE5GIl7Q', type: 'function', function: { name: 'get_weather', arguments: '' } }], finish: null },
        { tool_calls: [{ index: 1, id: 'tooluse_3TQb1VqfTtqFh0x2Wo0ouA', type: 'function', function: { name: 'get_time', arguments: '' } }], finish: null },
      ]);
      expect(deltas(outputs).find((delta) => delta.finish)?.finish).toBe('tool_calls');
      expect(parser.usage).toEqual({ prompt_tokens: 1602, completion_tokens: 96, total_tokens: 1698, prompt_tokens_details: { cached_tokens: 1024 } });
    });

    it('turns an exception frame before any content into a retryable provider error with the status its type stands for', () => {
      const { outputs } = parse(streamBytes('throttling-before-content-stream.json'), size);
      expect(outputs).toEqual([
        {
          kind: 'error',
          cause: 'provider_error',
          error: expect.objectContaining({ status: 429, upstreamStatus: 429, type: 'rate_limit_exceeded', retryable: true, message: 'Too many requests, please wait before trying again.' }),
        },
      ]);
    });

    it('ends a stream with the provider error when an exception frame follows content', () => {
      const { outputs, parser } = parse(streamBytes('model-stream-error-after-content-stream.json'), size);
      expect(deltas(outputs).map((delta) => delta.content)).toEqual(['', 'Once upon']);
      expect(outputs.at(-1)).toEqual({
        kind: 'error',
        cause: 'provider_error',
        error: expect.objectContaining({ status: 502, upstreamStatus: 502, code: 'model_stream_error', retryable: true }),
      });
      expect(parser.complete).toBe(false);
    });
  });

  it('leaves out the usage chunk and the usage field when the client did not ask for usage', () => {
    const { outputs, parser } = parse(streamBytes('text-stream.json'), 0, false);
    expect(chunks(outputs).every((chunk) => chunk.choices.length === 1 && !('usage' in chunk))).toBe(true);
    expect(parser.usage?.total_tokens).toBe(20);
  });

  it('reports a body that ends before messageStop as a cut stream', () => {
    const bytes = streamBytes('text-stream.json');
    const { outputs } = parse(bytes.subarray(0, bytes.length - 200), 0);
    expect(outputs.at(-1)).toMatchObject({ kind: 'error', cause: 'stream_cut' });
  });

  it('treats messageStop without metadata as complete, with a usage chunk of zeros', () => {
    const bytes = Buffer.concat([frame('event', 'messageStart', { role: 'assistant' }), frame('event', 'contentBlockDelta', { contentBlockIndex: 0, delta: { text: 'Hi' } }), frame('event', 'messageStop', { stopReason: 'max_tokens' })]);
    const { outputs, parser } = parse(bytes, 0);
    expect(deltas(outputs).at(-1)).toEqual({ finish: 'length' });
    expect(chunks(outputs).at(-1)?.usage).toEqual({ prompt_tokens: 0, completion_tokens: 0, total_tokens: 0, prompt_tokens_details: { cached_tokens: 0 } });
    expect(parser.complete).toBe(true);
  });

  it.each<[string, Uint8Array, RegExp]>([
    ['a frame whose CRC does not match', corrupt(frame('event', 'messageStart', { role: 'assistant' })), /unreadable frame/],
    ['a frame declaring more than the frame limit', lengthPrefix(MAX_FRAME_BYTES + 1), /declares/],
    ['a frame declaring less than its prelude', lengthPrefix(3), /declares/],
    ['an event whose payload is not JSON', frame('event', 'contentBlockDelta', '{"contentBlockIndex":0,"delta":'), /unreadable 'contentBlockDelta'/],
    ['tool input for a block that never started as a tool call', frame('event', 'contentBlockDelta', { contentBlockIndex: 4, delta: { toolUse: { input: '{}' } } }), /unreadable/],
    ['a delta event without its delta', frame('event', 'contentBlockDelta', { contentBlockIndex: 0 }), /unreadable/],
  ])('reports %s as a malformed answer, without throwing', (_name, bytes, message) => {
    const parser = new BedrockStreamParser({ includeUsage: false, model: MODEL, requestId: 'r' });
    const outputs = parser.feed(bytes);
    expect(outputs).toEqual([{ kind: 'error', cause: 'malformed', error: expect.objectContaining({ status: 502, message: expect.stringMatching(message) }) }]);
    expect(parser.feed(frame('event', 'messageStart', { role: 'assistant' }))).toEqual([]);
  });

  it('maps an error frame (:message-type error) to a provider error', () => {
    const parser = new BedrockStreamParser({ includeUsage: false, model: MODEL, requestId: 'r' });
    expect(parser.feed(errorFrame('serviceUnavailableException', 'try later'))).toEqual([{ kind: 'error', cause: 'provider_error', error: expect.objectContaining({ status: 503, message: 'try later', retryable: true }) }]);
  });

  it('ignores reasoning deltas and event types it does not know', () => {
    const bytes = Buffer.concat([
      frame('event', 'messageStart', { role: 'assistant' }),
      frame('event', 'contentBlockDelta', { contentBlockIndex: 0, delta: { reasoningContent: { text: 'thinking' } } }),
      frame('event', 'somethingNew', { contentBlockIndex: 0 }),
      frame('event', 'messageStop', { stopReason: 'end_turn' }),
      frame('event', 'metadata', { usage: { inputTokens: 1, outputTokens: 1, totalTokens: 2 } }),
    ]);
    const { outputs } = parse(bytes, 0, false);
    expect(deltas(outputs)).toEqual([{ role: 'assistant', content: '', finish: null }, { finish: 'stop' }]);
  });
});

function corrupt(bytes: Uint8Array): Uint8Array {
  const copy = Uint8Array.from(bytes);
  copy[copy.length - 6] ^= 0xff;
  return copy;
}

function lengthPrefix(length: number): Uint8Array {
  const bytes = Buffer.alloc(16);
  bytes.writeUInt32BE(length, 0);
  return bytes;
}
