import { FAKE_ANTHROPIC_API_KEY, startFakeAnthropic, type FakeAnthropic } from './index';

const HEADERS = { 'x-api-key': FAKE_ANTHROPIC_API_KEY, 'anthropic-version': '2023-06-01', 'content-type': 'application/json' };
const WEATHER_TOOL = {
  name: 'get_weather',
  input_schema: { type: 'object', properties: { location: { type: 'string' }, unit: { type: 'string', enum: ['celsius', 'fahrenheit'] } } },
};
const TIME_TOOL = { name: 'get_time', input_schema: { type: 'object', properties: { utc_offset: { type: 'integer' } } } };
const hello = { model: 'claude-3-haiku-20240307', max_tokens: 100, messages: [{ role: 'user', content: 'Hi there' }] };

interface Reply {
  status: number;
  headers: Headers;
  text: string;
}

describe('startFakeAnthropic', () => {
  let fake: FakeAnthropic;
  const post = async (body: unknown, headers: Record<string, string> = HEADERS, path = '/v1/messages'): Promise<Reply> => {
    const response = await fetch(`${fake.url}${path}`, { method: 'POST', headers, body: JSON.stringify(body) });
    return { status: response.status, headers: response.headers, text: await response.text() };
  };
  const json = (reply: Reply): Record<string, unknown> => JSON.parse(reply.text) as Record<string, unknown>;
  const events = (reply: Reply): Array<{ event: string; data: { type: string } & Record<string, unknown> }> =>
    reply.text
      .split('\n\n')
      .filter((block) => block !== '')
      .map((block) => {
        const [eventLine, dataLine] = block.split('\n');
        return { event: eventLine.replace('event: ', ''), data: JSON.parse(dataLine.replace('data: ', '')) };
      });

  beforeEach(async () => {
    fake = await startFakeAnthropic();
  });
  afterEach(async () => {
    await fake.close();
  });

  it.each<[string, unknown, Record<string, string>, number, string, RegExp]>([
    ['a wrong key', hello, { ...HEADERS, 'x-api-key': 'sk-ant-wrong' }, 401, 'authentication_error', /x-api-key/],
    ['no anthropic-version', hello, { 'x-api-key': FAKE_ANTHROPIC_API_KEY }, 400, 'invalid_request_error', /anthropic-version/],
    ['no max_tokens', { model: 'm', messages: hello.messages }, HEADERS, 400, 'invalid_request_error', /max_tokens: Field required/],
    ['a system role in messages', { ...hello, messages: [{ role: 'system', content: 'x' }] }, HEADERS, 400, 'invalid_request_error', /role/],
    ['no messages', { ...hello, messages: [] }, HEADERS, 400, 'invalid_request_error', /messages/],
    ['temperature above 1', { ...hello, temperature: 1.5 }, HEADERS, 400, 'invalid_request_error', /temperature/],
    [
      'an orphan tool_result',
      { ...hello, messages: [{ role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_x', content: '1' }] }] },
      HEADERS,
      400,
      'invalid_request_error',
      /tool_use_id/,
    ],
  ])('refuses %s with an Anthropic-shaped error', async (_name, body, headers, status, type, message) => {
    const reply = await post(body, headers);
    expect(reply.status).toBe(status);
    expect(json(reply)).toMatchObject({ type: 'error', error: { type, message: expect.stringMatching(message) } });
    expect(reply.headers.get('request-id')).toMatch(/^req_01/);
    expect(reply.headers.get('anthropic-ratelimit-requests-limit')).toBe('50');
  });

  it('answers text and records the request', async () => {
    const reply = await post(hello);
    expect(reply.status).toBe(200);
    expect(reply.headers.get('anthropic-ratelimit-tokens-reset')).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(json(reply)).toMatchObject({
      id: expect.stringMatching(/^msg_01/),
      type: 'message',
      role: 'assistant',
      model: 'claude-3-haiku-20240307',
      content: [{ type: 'text', text: expect.stringContaining('Hi there') }],
      stop_reason: 'end_turn',
      usage: { input_tokens: expect.any(Number), output_tokens: expect.any(Number) },
    });
    expect(fake.requests).toEqual([
      { method: 'POST', path: '/v1/messages', headers: expect.objectContaining({ 'x-api-key': FAKE_ANTHROPIC_API_KEY }), body: hello },
    ]);
  });

  it.each<[string, Record<string, unknown>, string[]]>([
    ['two tools', { tools: [WEATHER_TOOL, TIME_TOOL] }, ['get_weather', 'get_time']],
    ['parallel use disabled', { tools: [WEATHER_TOOL, TIME_TOOL], tool_choice: { type: 'auto', disable_parallel_tool_use: true } }, ['get_weather']],
    ['a named tool', { tools: [WEATHER_TOOL, TIME_TOOL], tool_choice: { type: 'tool', name: 'get_time' } }, ['get_time']],
  ])('answers tool_use for %s', async (_name, extra, names) => {
    const body = json(await post({ ...hello, ...extra }));
    const uses = (body.content as Array<{ type: string; name?: string; input?: unknown }>).filter((block) => block.type === 'tool_use');
    expect(body.stop_reason).toBe('tool_use');
    expect(uses.map((use) => use.name)).toEqual(names);
    if (names[0] === 'get_weather') expect(uses[0].input).toEqual({ location: 'example location', unit: 'celsius' });
  });

  it('answers text about a tool_result', async () => {
    const messages = [
      { role: 'user', content: 'Weather?' },
      { role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_1', name: 'get_weather', input: {} }] },
      { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_1', content: '18°C and sunny' }] },
    ];
    const body = json(await post({ ...hello, tools: [WEATHER_TOOL], messages }));
    expect(body).toMatchObject({ stop_reason: 'end_turn', content: [{ type: 'text', text: expect.stringContaining('18°C and sunny') }] });
  });

  it('streams named events in Anthropic order', async () => {
    fake.setScenario({ kind: 'tool_use', toolCount: 2 });
    const reply = await post({ ...hello, stream: true, tools: [WEATHER_TOOL, TIME_TOOL] });
    expect(reply.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const stream = events(reply);
    expect(stream.every(({ event, data }) => event === data.type)).toBe(true);
    const names = stream.map(({ event }) => event).filter((name) => name !== 'content_block_delta');
    expect(names).toEqual([
      'message_start',
      'content_block_start',
      'ping',
      'content_block_stop',
      'content_block_start',
      'content_block_stop',
      'content_block_start',
      'content_block_stop',
      'message_delta',
      'message_stop',
    ]);
    const partials = stream.filter(({ data }) => data.type === 'content_block_delta' && data.index === 1);
    const json1 = partials.map(({ data }) => (data.delta as { partial_json: string }).partial_json).join('');
    expect(JSON.parse(json1)).toEqual({ location: 'example location', unit: 'celsius' });
  });

  it('injects a 429 with retry-after once, then answers again', async () => {
    fake.setScenario({ kind: 'http_error', status: 429, retryAfterSeconds: 7 }, 1);
    const limited = await post(hello);
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('7');
    expect(limited.headers.get('anthropic-ratelimit-requests-remaining')).toBe('0');
    expect(json(limited)).toMatchObject({ type: 'error', error: { type: 'rate_limit_error' } });
    expect((await post(hello)).status).toBe(200);
  });

  it.each([
    [500, 'api_error'],
    [529, 'overloaded_error'],
  ])('injects a %i %s', async (status, type) => {
    fake.setScenario({ kind: 'http_error', status });
    const reply = await post(hello);
    expect(reply.status).toBe(status);
    expect(json(reply)).toMatchObject({ type: 'error', error: { type } });
  });

  it('sends an error event mid-stream and nothing after it', async () => {
    fake.setScenario({ kind: 'stream_error_event', afterEvents: 4 });
    const stream = events(await post({ ...hello, stream: true }));
    expect(stream.map(({ event }) => event)).toEqual(['message_start', 'content_block_start', 'ping', 'content_block_delta', 'error']);
    expect(stream[4].data).toEqual({ type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } });
  });

  it('cuts the connection mid-stream', async () => {
    fake.setScenario({ kind: 'stream_cut', afterEvents: 2 });
    await expect(post({ ...hello, stream: true })).rejects.toThrow();
  });

  it('cuts the connection of a non-streaming request', async () => {
    fake.setScenario({ kind: 'stream_cut' });
    await expect(post(hello)).rejects.toThrow();
  });

  it('accepts configured keys only', async () => {
    const other = await startFakeAnthropic({ validApiKeys: ['sk-ant-other-key'], eventDelayMs: 1 });
    try {
      const ok = await fetch(`${other.url}/v1/messages`, {
        method: 'POST',
        headers: { ...HEADERS, 'x-api-key': 'sk-ant-other-key' },
        body: JSON.stringify({ ...hello, stream: true }),
      });
      expect(ok.status).toBe(200);
      expect(await ok.text()).toContain('event: message_stop');
    } finally {
      await other.close();
    }
  });
});
