// The Anthropic translation library against the fake: what the translator sends, the fake
// accepts, and what the fake answers, the translator reads.
import type { ChatCompletionRequest, ChatStreamOutput } from '@ai-gateway/openai-api';
import { anthropicChatTranslator } from '@ai-gateway/providers-anthropic';
import { FAKE_ANTHROPIC_API_KEY, startFakeAnthropic, type FakeAnthropic } from './index';

const target = { model: 'claude-3-5-sonnet-20241022', maxOutputTokens: 8192 };
const tools: ChatCompletionRequest['tools'] = [
  { type: 'function', function: { name: 'get_weather', parameters: { type: 'object', properties: { location: { type: 'string' } } } } },
  { type: 'function', function: { name: 'get_time' } },
];

describe('anthropicChatTranslator against the fake Anthropic', () => {
  let fake: FakeAnthropic;
  beforeEach(async () => {
    fake = await startFakeAnthropic();
  });
  afterEach(async () => {
    await fake.close();
  });

  const send = async (request: ChatCompletionRequest): Promise<Response> => {
    const upstream = anthropicChatTranslator.request(request, target, FAKE_ANTHROPIC_API_KEY, {});
    return fetch(`${fake.url}${upstream.path}`, { method: 'POST', headers: upstream.headers, body: upstream.body });
  };

  it('completes a tool round trip without streaming', async () => {
    const first: ChatCompletionRequest = { model: 'claude-3-5-sonnet', messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'Weather and time?' }], tools };
    const asked = anthropicChatTranslator.response(await (await send(first)).json(), target);
    const toolCalls = asked.choices[0].message.tool_calls ?? [];
    expect(asked.choices[0].finish_reason).toBe('tool_calls');
    expect(toolCalls.map((call) => call.function.name)).toEqual(['get_weather', 'get_time']);

    const second: ChatCompletionRequest = {
      ...first,
      messages: [
        ...first.messages,
        asked.choices[0].message,
        ...toolCalls.map((call) => ({ role: 'tool' as const, tool_call_id: call.id, content: `${call.function.name} ok` })),
      ],
    };
    const answered = anthropicChatTranslator.response(await (await send(second)).json(), target);
    expect(answered.choices[0]).toMatchObject({ finish_reason: 'stop', message: { content: expect.stringContaining('get_time ok') } });
  });

  it('streams through the stream parser', async () => {
    const response = await send({ model: 'claude-3-5-sonnet', messages: [{ role: 'user', content: 'Hi' }], stream: true });
    const parser = anthropicChatTranslator.streamParser({ includeUsage: true, model: target.model });
    const outputs: ChatStreamOutput[] = [];
    for await (const bytes of response.body as unknown as AsyncIterable<Uint8Array>) outputs.push(...parser.feed(bytes));
    outputs.push(...parser.finish());
    const chunks = outputs.flatMap((output) => (output.kind === 'chunk' ? [output.chunk] : []));
    expect(outputs.every((output) => output.kind === 'chunk')).toBe(true);
    expect(chunks.map((chunk) => chunk.choices[0]?.delta.content ?? '').join('')).toContain('You said: Hi');
    expect(chunks[chunks.length - 1]).toMatchObject({ choices: [], usage: { prompt_tokens: expect.any(Number) } });
  });

  it('reads an injected 529 and an error event as retryable provider errors', async () => {
    fake.setScenario({ kind: 'http_error', status: 529 }, 1);
    const overloaded = await send({ model: 'm', messages: [{ role: 'user', content: 'Hi' }] });
    const headers = Object.fromEntries(overloaded.headers.entries());
    expect(anthropicChatTranslator.error(overloaded.status, await overloaded.text(), headers)).toMatchObject({ status: 503, retryable: true });
    expect(anthropicChatTranslator.rateLimitHeaders(headers)).toHaveProperty('x-ratelimit-limit-requests', '50');

    fake.setScenario({ kind: 'stream_error_event' }, 1);
    const stream = await send({ model: 'm', messages: [{ role: 'user', content: 'Hi' }], stream: true });
    const parser = anthropicChatTranslator.streamParser({ includeUsage: false, model: 'm' });
    const outputs = [...parser.feed(new Uint8Array(await stream.arrayBuffer())), ...parser.finish()];
    expect(outputs[outputs.length - 1]).toMatchObject({ kind: 'error', error: { status: 503, retryable: true } });
  });
});
