import type { ChatCompletionChunk, ChatStreamOutput } from '@ai-gateway/openai-api';
import { CHUNK_SIZES, chunked, fixtureText } from '../test/fixtures';
import { GeminiStreamParser } from './gemini-stream.parser';
import { thoughtSignatureOf } from './gemini-tool-call-id';

const encoder = new TextEncoder();

function parse(body: string, size: number, includeUsage = true): { outputs: ChatStreamOutput[]; parser: GeminiStreamParser } {
  const parser = new GeminiStreamParser({ includeUsage, model: 'requested-model' }, () => 1_750_000_000_000);
  const outputs: ChatStreamOutput[] = [];
  for (const piece of chunked(encoder.encode(body), size)) outputs.push(...parser.feed(piece));
  outputs.push(...parser.finish());
  return { outputs, parser };
}

const chunksOf = (outputs: ChatStreamOutput[]): ChatCompletionChunk[] => outputs.flatMap((output) => (output.kind === 'chunk' ? [output.chunk] : []));

describe.each(CHUNK_SIZES)('GeminiStreamParser fed %s pieces', (_name, size) => {
  it('streams text deltas, the finish reason, then the usage chunk', () => {
    const { outputs, parser } = parse(fixtureText('text-stream.txt'), size);
    const chunks = chunksOf(outputs);
    expect(outputs.every((output) => output.kind === 'chunk')).toBe(true);
    expect(chunks[0].choices[0].delta).toEqual({ role: 'assistant', content: '' });
    expect(chunks.map((chunk) => chunk.choices[0]?.delta.content ?? '').join('')).toBe('The sky is blue because of Rayleigh scattering.');
    expect(chunks.every((chunk) => chunk.id === 'chatcmpl-pdSfaOurIPqAm9IPucqbqA4' && chunk.model === 'gemini-2.0-flash')).toBe(true);
    expect(chunks.filter((chunk) => chunk.choices[0]?.finish_reason).map((chunk) => chunk.choices[0].finish_reason)).toEqual(['stop']);
    expect(chunks[chunks.length - 1]).toMatchObject({ choices: [], usage: { prompt_tokens: 7, completion_tokens: 9, total_tokens: 16 } });
    expect(chunks.slice(0, -1).every((chunk) => chunk.usage === null)).toBe(true);
    expect(parser.complete).toBe(true);
    expect(parser.responseModel).toBe('gemini-2.0-flash');
  });

  it('emits a whole function call as one tool_call delta with id, name and arguments', () => {
    const chunks = chunksOf(parse(fixtureText('function-call-stream.txt'), size).outputs);
    const calls = chunks.flatMap((chunk) => chunk.choices[0]?.delta.tool_calls ?? []);
    expect(calls).toEqual([{ index: 0, id: expect.stringMatching(/^call_[A-Za-z0-9_-]{24}$/), type: 'function', function: { name: 'customDivide', arguments: '{"denominator":2,"numerator":100}' } }]);
    expect(chunks.find((chunk) => chunk.choices[0]?.finish_reason)?.choices[0].finish_reason).toBe('tool_calls');
  });

  it('numbers parallel calls from 0, keeps the thought signature in the first id and counts thinking tokens', () => {
    const chunks = chunksOf(parse(fixtureText('two-function-calls-thinking-stream.txt'), size).outputs);
    const calls = chunks.flatMap((chunk) => chunk.choices[0]?.delta.tool_calls ?? []);
    expect(calls.map((call) => [call.index, call.function?.name])).toEqual([
      [0, 'get_weather'],
      [1, 'get_time'],
    ]);
    expect(thoughtSignatureOf(calls[0].id ?? '')).toBe('CiQB0e2Kb+oHVnJ2PX9tGH5S0V8mRlFEQS/pWRxHDBgbUu2J8L0=');
    expect(calls[0].id).not.toBe(calls[1].id);
    expect(chunks.find((chunk) => chunk.choices[0]?.finish_reason)?.choices[0].finish_reason).toBe('tool_calls');
    expect(chunks[chunks.length - 1].usage).toEqual({
      prompt_tokens: 62,
      completion_tokens: 156,
      total_tokens: 218,
      prompt_tokens_details: { cached_tokens: 40 },
      completion_tokens_details: { reasoning_tokens: 126 },
    });
  });

  it('ends with an in-band provider error after the content already sent', () => {
    const { outputs, parser } = parse(fixtureText('error-midstream.txt'), size);
    expect(chunksOf(outputs).map((chunk) => chunk.choices[0]?.delta.content ?? '').join('')).toBe('Once upon a time');
    expect(outputs[outputs.length - 1]).toMatchObject({ kind: 'error', cause: 'provider_error', error: { upstreamStatus: 503, status: 503, retryable: true } });
    expect(parser.complete).toBe(false);
  });
});

describe('GeminiStreamParser at the edges', () => {
  it('sends no usage chunk and no usage:null when the client did not ask', () => {
    const chunks = chunksOf(parse(fixtureText('text-stream.txt'), 0, false).outputs);
    expect(chunks.every((chunk) => chunk.choices.length === 1 && !('usage' in chunk))).toBe(true);
  });

  it('names a body that ends before a finish reason a cut', () => {
    const first = fixtureText('text-stream.txt').split('\n\n')[0];
    expect(parse(`${first}\n\n`, 0).outputs.pop()).toMatchObject({ kind: 'error', cause: 'stream_cut', error: { code: 'stream_cut' } });
  });

  it.each<[string, string]>([
    ['a JSON body that is no SSE', '{"candidates":[]}'],
    ['an event that is not JSON', 'data: {"candidates": [\n\n'],
    ['an event that is no answer', 'data: [1,2]\n\n'],
  ])('reads %s as malformed', (_case, body) => {
    expect(parse(body, 0).outputs.pop()).toMatchObject({ kind: 'error', cause: 'malformed' });
  });

  it('reads a blocked prompt as a content_filter finish', () => {
    const body = 'data: {"promptFeedback": {"blockReason": "SAFETY"}, "usageMetadata": {"promptTokenCount": 3, "totalTokenCount": 3}, "responseId": "r1"}\n\n';
    const chunks = chunksOf(parse(body, 0).outputs);
    expect(chunks.find((chunk) => chunk.choices[0]?.finish_reason)?.choices[0].finish_reason).toBe('content_filter');
  });

  it('carries the retry delay of a rate-limit error event', () => {
    const event = { error: { code: 429, status: 'RESOURCE_EXHAUSTED', message: 'slow', details: [{ '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: '2s' }] } };
    const { outputs, parser } = parse(`data: ${JSON.stringify(event)}\n\n`, 0);
    expect(outputs.pop()).toMatchObject({ kind: 'error', error: { upstreamStatus: 429 } });
    expect(parser.retryAfterMs).toBe(2000);
  });
});
