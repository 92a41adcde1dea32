import { OpenAiStreamParser, type OpenAiStreamOutput } from './openai-stream.parser';

// Recorded (envoy `chat-streaming-detailed-usage.yaml`, PROVIDERS.md §1), with content chunks before it.
const ID = 'chatcmpl-C4Hq5a6K3RaPMymUv70btQNYv6SvY';
const chunk = (choices: unknown[], usage: unknown = null) =>
  `data: ${JSON.stringify({ id: ID, object: 'chat.completion.chunk', created: 1755137921, model: 'gpt-5-nano-2025-08-07', choices, usage })}\n\n`;
const ROLE = chunk([{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }]);
const TEXT = chunk([{ index: 0, delta: { content: 'Hello' }, finish_reason: null }]);
const FINISH = chunk([{ index: 0, delta: {}, finish_reason: 'length' }]);
const USAGE = chunk([], { prompt_tokens: 12, completion_tokens: 100, total_tokens: 112 });
const DONE = 'data: [DONE]\n\n';

function run(text: string, usageForced = false, size = 7): { outputs: OpenAiStreamOutput[]; parser: OpenAiStreamParser } {
  const parser = new OpenAiStreamParser({ usageForced });
  const bytes = Buffer.from(text);
  const outputs: OpenAiStreamOutput[] = [];
  for (let i = 0; i < bytes.length; i += size) outputs.push(...parser.feed(bytes.subarray(i, i + size)));
  outputs.push(...parser.finish());
  return { outputs, parser };
}

const kinds = (outputs: OpenAiStreamOutput[]) => outputs.map((output) => output.kind);
const lastOf = (outputs: OpenAiStreamOutput[]) => outputs[outputs.length - 1];

describe('OpenAiStreamParser', () => {
  it('passes chunks through as they are, names the model once, reads usage, ends at [DONE]', () => {
    const { outputs, parser } = run(ROLE + TEXT + FINISH + USAGE + DONE);
    expect(kinds(outputs)).toEqual(['model', 'chunk', 'chunk', 'chunk', 'usage', 'chunk']);
    expect(outputs[0]).toEqual({ kind: 'model', model: 'gpt-5-nano-2025-08-07' });
    expect(outputs[1]).toEqual({ kind: 'chunk', data: ROLE.slice(6, -2), content: false });
    expect(outputs[2]).toMatchObject({ kind: 'chunk', content: true });
    expect(outputs[3]).toMatchObject({ kind: 'chunk', content: true });
    expect(outputs[4]).toEqual({ kind: 'usage', usage: { prompt_tokens: 12, completion_tokens: 100, total_tokens: 112 } });
    expect(parser.complete).toBe(true);
  });

  it('drops the usage chunk the gateway asked for, keeping its counts', () => {
    const { outputs } = run(ROLE + TEXT + FINISH + USAGE + DONE, true);
    expect(kinds(outputs)).toEqual(['model', 'chunk', 'chunk', 'chunk', 'usage']);
  });

  it.each([
    ['after the finish reason and usage', ROLE + TEXT + FINISH + USAGE],
    ['after the finish reason', ROLE + TEXT + FINISH],
  ])('is complete when the body ends without [DONE] %s', (_case, text) => {
    const { outputs, parser } = run(text);
    expect(outputs.some((output) => output.kind === 'error')).toBe(false);
    expect(parser.complete).toBe(true);
  });

  it('is closed at [DONE] only (a finish reason alone is complete, not closed: a usage chunk may follow)', () => {
    const parser = new OpenAiStreamParser({ usageForced: false });
    parser.feed(Buffer.from(TEXT + FINISH));
    expect([parser.complete, parser.closed]).toEqual([true, false]);
    parser.feed(Buffer.from(USAGE + DONE));
    expect(parser.closed).toBe(true);
  });

  it('is cut when the body ends before a finish reason', () => {
    const { outputs, parser } = run(ROLE + TEXT + TEXT);
    expect(lastOf(outputs)).toMatchObject({ kind: 'error', cause: 'stream_cut', error: { code: 'stream_cut' } });
    expect(parser.complete).toBe(false);
  });

  it('is cut when only one of two choices finished', () => {
    const two = chunk([
      { index: 0, delta: { content: 'a' }, finish_reason: null },
      { index: 1, delta: { content: 'b' }, finish_reason: null },
    ]);
    const { outputs } = run(two + FINISH);
    expect(lastOf(outputs)).toMatchObject({ kind: 'error', cause: 'stream_cut' });
  });

  it.each([
    ['a data line that is not JSON', 'data: {"id": "x", "choi\n\n'],
    ['a data line that is JSON but no object', 'data: 42\n\n'],
    ['choices that is not an array', 'data: {"choices":{"0":1}}\n\n'],
  ])('reports %s as malformed and stops', (_case, bad) => {
    const { outputs } = run(ROLE + bad + TEXT + FINISH + DONE);
    expect(kinds(outputs)).toEqual(['model', 'chunk', 'error']);
    expect(lastOf(outputs)).toMatchObject({ kind: 'error', cause: 'malformed', error: { code: 'bad_upstream_response' } });
  });

  it('reports a line over the SSE limit as malformed', () => {
    const parser = new OpenAiStreamParser({ usageForced: false });
    const piece = Buffer.alloc(1024 * 1024, 'x');
    let outputs = parser.feed(Buffer.from('data: "'));
    for (let i = 0; i < 6 && outputs.length === 0; i++) outputs = parser.feed(piece);
    expect(outputs).toEqual([expect.objectContaining({ kind: 'error', cause: 'malformed' })]);
  });

  it('reports a 200 body that holds no SSE event at all as malformed, an empty one as a cut', () => {
    expect(lastOf(run('{"error":{"message":"oops"}}').outputs)).toMatchObject({ kind: 'error', cause: 'malformed' });
    expect(lastOf(run('<html>bad gateway</html>\n').outputs)).toMatchObject({ kind: 'error', cause: 'malformed' });
    expect(lastOf(run('').outputs)).toMatchObject({ kind: 'error', cause: 'stream_cut' });
  });

  it('reads an error event as the provider error it stands for', () => {
    const error = 'data: {"error":{"message":"Rate limit reached","type":"requests","param":null,"code":"rate_limit_exceeded"}}\n\n';
    const { outputs } = run(ROLE + TEXT + error);
    expect(lastOf(outputs)).toMatchObject({ kind: 'error', cause: 'provider_error', error: { upstreamStatus: 429, status: 429, message: 'Rate limit reached' } });
  });

  it('gives nothing after [DONE]', () => {
    const { outputs } = run(ROLE + FINISH + DONE + 'data: not json\n\n');
    expect(kinds(outputs)).toEqual(['model', 'chunk', 'chunk']);
  });
});
