import { SseEventDecoder } from '@ai-gateway/sse';
import { anthropicEventName, anthropicStreamWire, openAiStreamWire } from './sse-wire';
import { httpError } from './openai-http-error';

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);

describe('anthropicStreamWire', () => {
  it.each([
    ['{"type":"message_start","message":{}}', 'message_start'],
    ['{"type": "ping"}', 'ping'],
    ['{"index":0,"type":"content_block_stop"}', 'content_block_stop'],
    ['{"type":"evil\\nevent: x"}', 'unknown'],
    ['not json', 'unknown'],
  ])('names the event of %s %s', (json, name) => {
    expect(anthropicEventName(json)).toBe(name);
  });

  it('frames events that an SSE decoder reads back whole, multi-line data included', () => {
    const json = '{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"hi"}}';
    const framed = anthropicStreamWire.event(bytes(json)) + anthropicStreamWire.event(bytes('{"type":"ping",\n"x":1}'));
    const events = new SseEventDecoder().decode(bytes(framed));
    expect(events.map((event) => [event.event, event.data])).toEqual([
      ['content_block_delta', json],
      ['ping', '{"type":"ping",\n"x":1}'],
    ]);
  });

  it('ends a started stream with an Anthropic error event, never [DONE]', () => {
    const failure = { ...httpError(502, 'Every provider failed'), upstreamStatus: 529 };
    const events = new SseEventDecoder().decode(bytes(anthropicStreamWire.failure(failure)));
    expect(events).toHaveLength(1);
    expect(events[0].event).toBe('error');
    expect(JSON.parse(events[0].data)).toEqual({ type: 'error', error: { type: 'overloaded_error', message: 'Every provider failed' } });
    expect(anthropicStreamWire.done).toBe('');
  });

  it('answers a failure before the stream in Anthropic shape with the request id', () => {
    expect(anthropicStreamWire.reply(httpError(429, 'slow'), 'req_9')).toEqual({
      status: 429,
      body: JSON.stringify({ type: 'error', error: { type: 'rate_limit_error', message: 'slow' }, request_id: 'req_9' }),
    });
  });
});

describe('openAiStreamWire', () => {
  it('frames data events and [DONE] as before', () => {
    expect(openAiStreamWire.event(bytes('{"id":"c"}'))).toBe('data: {"id":"c"}\n\n');
    expect(openAiStreamWire.done).toBe('data: [DONE]\n\n');
  });

  it('writes a chunk the provider sent as several data lines on one line, which a line-by-line reader parses too', () => {
    // A continuation line starting with ":" would even read as an SSE comment.
    const multiLine = '{"id"\n:"c",\r\n"model":"gpt-4o"\r,"choices":[{"index":0,"delta":{"content":"a\\nb"}}]}';
    const framed = openAiStreamWire.event(bytes(multiLine));
    expect(framed.split('\n').filter(Boolean)).toHaveLength(1);
    const [event] = new SseEventDecoder().decode(bytes(framed));
    expect(JSON.parse(event.data)).toEqual(JSON.parse(multiLine));
  });
});
