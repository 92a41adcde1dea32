import type { ChatCompletionChunk, ChatStreamOutput, CompletionUsage, ProviderError, ToolCallDelta } from '@ai-gateway/openai-api';
import { CHUNK_SIZES, chunked } from '../test/chunked';
import { fixtureText } from '../test/fixtures';
import { AnthropicStreamParser } from './anthropic-stream.parser';

const NOW_MS = 1_736_000_000_500;
const CREATED = 1_736_000_000;
type Delta = ChatCompletionChunk['choices'][number]['delta'];

/** One output in short: a choice's delta (+ finish_reason), the usage chunk, or the error. */
type Step = { delta: Delta; finish?: string } | { usage: CompletionUsage } | { error: Partial<ProviderError> };

function replay(text: string, size: number, includeUsage: boolean): { outputs: ChatStreamOutput[]; parser: AnthropicStreamParser } {
  const parser = new AnthropicStreamParser({ includeUsage, model: 'claude-requested' }, () => NOW_MS);
  const outputs = chunked(new TextEncoder().encode(text), size).flatMap((piece) => parser.feed(piece));
  return { outputs: [...outputs, ...parser.finish()], parser };
}

function steps(outputs: ChatStreamOutput[]): Step[] {
  return outputs.map((output): Step => {
    if (output.kind === 'error') return { error: output.error };
    const [choice] = output.chunk.choices;
    if (!choice) return { usage: output.chunk.usage as CompletionUsage };
    return choice.finish_reason ? { delta: choice.delta, finish: choice.finish_reason } : { delta: choice.delta };
  });
}

function chunksOf(outputs: ChatStreamOutput[]): ChatCompletionChunk[] {
  return outputs.flatMap((output) => (output.kind === 'chunk' ? [output.chunk] : []));
}

/** Tool calls assembled the way an OpenAI client does: by index, arguments concatenated. */
function assembleToolCalls(outputs: ChatStreamOutput[]): Array<{ id?: string; name?: string; arguments: unknown }> {
  const calls: Array<{ id?: string; name?: string; json: string }> = [];
  const deltas: ToolCallDelta[] = chunksOf(outputs).flatMap((chunk) => chunk.choices[0]?.delta.tool_calls ?? []);
  for (const delta of deltas) {
    calls[delta.index] ??= { json: '' };
    const call = calls[delta.index];
    if (delta.id) call.id = delta.id;
    if (delta.function?.name) call.name = delta.function.name;
    call.json += delta.function?.arguments ?? '';
  }
  return calls.map(({ id, name, json }) => ({ id, name, arguments: JSON.parse(json) as unknown }));
}

const role = { delta: { role: 'assistant', content: '' } } as const;
const text = (content: string): Step => ({ delta: { content } });
const toolStart = (index: number, id: string, name: string): Step => ({
  delta: { tool_calls: [{ index, id, type: 'function', function: { name, arguments: '' } }] },
});
const toolArgs = (index: number, fragment: string): Step => ({ delta: { tool_calls: [{ index, function: { arguments: fragment } }] } });
const finish = (reason: string): Step => ({ delta: {}, finish: reason });
const usage = (prompt: number, completion: number, cached = 0): Step => ({
  usage: { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion, prompt_tokens_details: { cached_tokens: cached } },
});

interface StreamCase {
  fixture: string;
  model: string;
  id: string;
  steps: Step[];
  usage: CompletionUsage;
  toolCalls: Array<{ id: string; name: string; arguments: unknown }>;
}

const CASES: Array<[string, StreamCase]> = [
  [
    'text-stream.txt',
    {
      fixture: fixtureText('text-stream.txt'),
      model: 'claude-3-5-sonnet-20241022',
      id: 'msg_01XFDUDYJgAACzvnptvVoYEL',
      steps: [role, text('Bonjour'), text(' ! Ça va très bien, merci. '), text('Et vous ? 😊'), finish('stop'), usage(25, 15)],
      usage: { prompt_tokens: 25, completion_tokens: 15, total_tokens: 40, prompt_tokens_details: { cached_tokens: 0 } },
      toolCalls: [],
    },
  ],
  [
    'tool-use-stream.txt (a text block before the tool block)',
    {
      fixture: fixtureText('tool-use-stream.txt'),
      model: 'claude-opus-4-20250514',
      id: 'msg_019Q1hrJbZG26Fb9BQhrkHEr',
      steps: [
        role,
        text('I'),
        text("'ll check the current weather in Paris for you."),
        toolStart(0, 'toolu_01NRLabsLyVHZPKxbKvkfSMn', 'get_weather'),
        toolArgs(0, '{"locati'),
        toolArgs(0, 'on": "P'),
        toolArgs(0, 'ar'),
        toolArgs(0, 'is", "unit": "c'),
        toolArgs(0, 'elsius"}'),
        finish('tool_calls'),
        usage(377, 65),
      ],
      usage: { prompt_tokens: 377, completion_tokens: 65, total_tokens: 442, prompt_tokens_details: { cached_tokens: 0 } },
      toolCalls: [{ id: 'toolu_01NRLabsLyVHZPKxbKvkfSMn', name: 'get_weather', arguments: { location: 'Paris', unit: 'celsius' } }],
    },
  ],
  [
    'two-tool-use-stream.txt (two tool blocks keep distinct indexes)',
    {
      fixture: fixtureText('two-tool-use-stream.txt'),
      model: 'claude-sonnet-4-20250514',
      id: 'msg_01Aq9w938a90dw8q',
      steps: [
        role,
        text('Let me look up both cities.'),
        toolStart(0, 'toolu_01T1x1fJ34qAmk2tNTrN7Up6', 'get_weather'),
        toolArgs(0, '{"location":'),
        toolArgs(0, ' "Paris"}'),
        toolStart(1, 'toolu_01RvXzDz4Yb3U7cRLZ2w8xKe', 'get_time'),
        toolArgs(1, '{"timezone": "Asia/'),
        toolArgs(1, 'Tokyo", "format": {"hour12": false}}'),
        finish('tool_calls'),
        usage(2660, 98, 2048),
      ],
      usage: { prompt_tokens: 2660, completion_tokens: 98, total_tokens: 2758, prompt_tokens_details: { cached_tokens: 2048 } },
      toolCalls: [
        { id: 'toolu_01T1x1fJ34qAmk2tNTrN7Up6', name: 'get_weather', arguments: { location: 'Paris' } },
        { id: 'toolu_01RvXzDz4Yb3U7cRLZ2w8xKe', name: 'get_time', arguments: { timezone: 'Asia/Tokyo', format: { hour12: false } } },
      ],
    },
  ],
  [
    'thinking-stream.txt (thinking, signature and citations deltas ignored)',
    {
      fixture: fixtureText('thinking-stream.txt'),
      model: 'claude-3-7-sonnet-20250219',
      id: 'msg_01Thinking5bM3q9dUvPqZ',
      steps: [role, text('2 + 2 = 4'), finish('length'), usage(40, 30)],
      usage: { prompt_tokens: 40, completion_tokens: 30, total_tokens: 70, prompt_tokens_details: { cached_tokens: 0 } },
      toolCalls: [],
    },
  ],
  [
    'error-event-stream.txt (nothing after the error)',
    {
      fixture: fixtureText('error-event-stream.txt'),
      model: 'claude-3-haiku-20240307',
      id: 'msg_01ErrStream7Q1hrJbZG26Fb',
      steps: [
        role,
        text('Once upon'),
        {
          error: {
            status: 503,
            upstreamStatus: 529,
            type: 'server_error',
            code: 'overloaded',
            param: null,
            message: 'Overloaded',
            retryable: true,
          },
        },
      ],
      usage: { prompt_tokens: 12, completion_tokens: 1, total_tokens: 13, prompt_tokens_details: { cached_tokens: 0 } },
      toolCalls: [],
    },
  ],
  [
    'text-stream.txt cut before message_stop',
    {
      fixture: fixtureText('text-stream.txt').split('event: message_delta')[0],
      model: 'claude-3-5-sonnet-20241022',
      id: 'msg_01XFDUDYJgAACzvnptvVoYEL',
      steps: [
        role,
        text('Bonjour'),
        text(' ! Ça va très bien, merci. '),
        text('Et vous ? 😊'),
        { error: { status: 502, upstreamStatus: 0, type: 'api_error', retryable: true } },
      ],
      usage: { prompt_tokens: 25, completion_tokens: 1, total_tokens: 26, prompt_tokens_details: { cached_tokens: 0 } },
      toolCalls: [],
    },
  ],
  [
    'text-stream.txt with CRLF line endings',
    {
      fixture: fixtureText('text-stream.txt').replace(/\n/g, '\r\n'),
      model: 'claude-3-5-sonnet-20241022',
      id: 'msg_01XFDUDYJgAACzvnptvVoYEL',
      steps: [role, text('Bonjour'), text(' ! Ça va très bien, merci. '), text('Et vous ? 😊'), finish('stop'), usage(25, 15)],
      usage: { prompt_tokens: 25, completion_tokens: 15, total_tokens: 40, prompt_tokens_details: { cached_tokens: 0 } },
      toolCalls: [],
    },
  ],
];

describe('AnthropicStreamParser', () => {
  describe.each(CASES)('replaying %s', (_name, streamCase) => {
    const withoutUsage = streamCase.steps.filter((step) => !('usage' in step));

    it.each(CHUNK_SIZES)('gives the expected outputs fed in %s chunks', (_label, size) => {
      expect(steps(replay(streamCase.fixture, size, true).outputs)).toMatchObject(streamCase.steps);
      expect(steps(replay(streamCase.fixture, size, false).outputs)).toMatchObject(withoutUsage);
    });

    it('gives identical outputs whatever the chunk size', () => {
      const [first, ...others] = CHUNK_SIZES.map(([, size]) => replay(streamCase.fixture, size, true).outputs);
      for (const outputs of others) expect(outputs).toEqual(first);
    });

    it('stamps every chunk with one id, created and the provider model', () => {
      const { outputs, parser } = replay(streamCase.fixture, 7, true);
      for (const chunk of chunksOf(outputs)) {
        expect(chunk).toMatchObject({ id: streamCase.id, object: 'chat.completion.chunk', created: CREATED, model: streamCase.model });
      }
      expect(parser.responseModel).toBe(streamCase.model);
      expect(parser.usage).toEqual(streamCase.usage);
    });

    it('assembles tool-call arguments that parse to the expected objects', () => {
      expect(assembleToolCalls(replay(streamCase.fixture, 1, false).outputs)).toEqual(streamCase.toolCalls);
    });

    it('marks usage null on content chunks only when include_usage is asked', () => {
      const withUsage = chunksOf(replay(streamCase.fixture, 0, true).outputs).filter((chunk) => chunk.choices.length > 0);
      const plain = chunksOf(replay(streamCase.fixture, 0, false).outputs);
      expect(withUsage.every((chunk) => chunk.usage === null)).toBe(true);
      expect(plain.every((chunk) => !('usage' in chunk))).toBe(true);
    });
  });

  it('is closed at message_stop, not at the stop reason before it', () => {
    const text = fixtureText('text-stream.txt');
    const [beforeStop, stop] = text.split('event: message_stop');
    const parser = new AnthropicStreamParser({ includeUsage: true, model: 'claude-requested' }, () => NOW_MS);
    parser.feed(new TextEncoder().encode(beforeStop));
    expect([parser.complete, parser.closed]).toEqual([true, false]);
    parser.feed(new TextEncoder().encode(`event: message_stop${stop}\n\n`));
    expect(parser.closed).toBe(true);
  });

  it('says the stream was cut when the body ends before a stop reason', () => {
    const { outputs } = replay(fixtureText('tool-use-stream.txt').split('event: message_delta')[0], 7, true);
    const last = outputs[outputs.length - 1];
    expect(last.kind).toBe('error');
    expect(last.kind === 'error' && last.error.message).toMatch(/upstream stream was cut/);
    expect(last).toMatchObject({ cause: 'stream_cut' });
  });

  it('is complete when the body ends after a stop_reason without message_stop', () => {
    const { outputs, parser } = replay(fixtureText('text-stream.txt').split('event: message_stop')[0], 7, true);
    expect(outputs.every((output) => output.kind === 'chunk')).toBe(true);
    const last = chunksOf(outputs).pop();
    expect(last).toMatchObject({ choices: [], usage: { completion_tokens: 15 } });
    expect(parser.complete).toBe(true);
  });

  it('is cut, not complete, when the body ends after content but before message_delta', () => {
    const { outputs, parser } = replay(fixtureText('text-stream.txt').split('event: message_delta')[0], 7, false);
    expect(outputs[outputs.length - 1]).toMatchObject({ kind: 'error', cause: 'stream_cut' });
    expect(parser.complete).toBe(false);
  });

  it('reports an SSE line over the limit as malformed', () => {
    const parser = new AnthropicStreamParser({ includeUsage: false, model: 'm' });
    const piece = new TextEncoder().encode('x'.repeat(1024 * 1024));
    let outputs: ReturnType<typeof parser.feed> = [];
    parser.feed(new TextEncoder().encode('event: content_block_delta\ndata: '));
    for (let i = 0; i < 5 && outputs.length === 0; i++) outputs = parser.feed(piece);
    expect(outputs).toEqual([{ kind: 'error', cause: 'malformed', error: expect.objectContaining({ code: 'bad_upstream_response' }) }]);
    expect(parser.finish()).toEqual([]);
  });

  it('reports a 200 body that holds no SSE event at all as malformed', () => {
    const parser = new AnthropicStreamParser({ includeUsage: false, model: 'm' });
    expect(parser.feed(new TextEncoder().encode('{"type":"error","error":{"type":"api_error","message":"x"}}'))).toEqual([]);
    expect(parser.finish()).toEqual([{ kind: 'error', cause: 'malformed', error: expect.objectContaining({ code: 'bad_upstream_response' }) }]);
  });

  it('reports valid JSON of the wrong shape as malformed, not as a crash', () => {
    const parser = new AnthropicStreamParser({ includeUsage: false, model: 'm' });
    const outputs = parser.feed(new TextEncoder().encode('event: message_start\ndata: {"type":"message_start"}\n\n'));
    expect(outputs).toEqual([{ kind: 'error', cause: 'malformed', error: expect.objectContaining({ code: 'bad_upstream_response' }) }]);
  });

  it('reports an unreadable event and stops', () => {
    const parser = new AnthropicStreamParser({ includeUsage: false, model: 'm' });
    const outputs = parser.feed(new TextEncoder().encode('event: message_start\ndata: {not json\n\nevent: ping\ndata: {}\n\n'));
    expect(outputs).toEqual([{ kind: 'error', cause: 'malformed', error: expect.objectContaining({ status: 502, retryable: true }) }]);
    expect(parser.finish()).toEqual([]);
  });

  it('knows neither usage nor model before message_start', () => {
    const parser = new AnthropicStreamParser({ includeUsage: true, model: 'claude-requested' });
    expect(parser.usage).toBeUndefined();
    expect(parser.responseModel).toBeUndefined();
    expect(parser.finish()).toEqual([{ kind: 'error', cause: 'stream_cut', error: expect.objectContaining({ status: 502, code: 'stream_cut' }) }]);
  });

  it('gives nothing more after message_stop', () => {
    const parser = new AnthropicStreamParser({ includeUsage: false, model: 'm' });
    parser.feed(new TextEncoder().encode(fixtureText('text-stream.txt')));
    expect(parser.feed(new TextEncoder().encode('event: ping\ndata: {"type":"ping"}\n\n'))).toEqual([]);
    expect(parser.finish()).toEqual([]);
  });
});
