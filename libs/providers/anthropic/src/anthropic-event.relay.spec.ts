import { SseEventDecoder } from '@ai-gateway/sse';
import { CHUNK_SIZES, chunked } from '../test/chunked';
import { fixtureText } from '../test/fixtures';
import { AnthropicEventRelay, type RelayOutput } from './anthropic-event.relay';

function relayAll(text: string, size: number): { relay: AnthropicEventRelay; outputs: RelayOutput[] } {
  const relay = new AnthropicEventRelay();
  const outputs = chunked(new TextEncoder().encode(text), size).flatMap((piece) => relay.feed(piece));
  return { relay, outputs: [...outputs, ...relay.finish()] };
}

describe('AnthropicEventRelay', () => {
  describe.each(CHUNK_SIZES)('fed in %s pieces', (_name, size) => {
    it.each(['tool-use-stream.txt', 'two-tool-use-stream.txt', 'thinking-stream.txt', 'text-stream.txt'])('relays every event of %s unchanged', (fixture) => {
      const text = fixtureText(fixture);
      const { relay, outputs } = relayAll(text, size);
      const recorded = new SseEventDecoder().decode(new TextEncoder().encode(text + '\n\n')).map((event) => event.data);
      expect(outputs.every((output) => output.kind === 'event')).toBe(true);
      expect(outputs.map((output) => (output.kind === 'event' ? output.data : ''))).toEqual(recorded);
      expect(relay.complete).toBe(true);
    });
  });

  it('reads usage (cache counters included) and the model for the usage event', () => {
    const { relay } = relayAll(fixtureText('tool-use-stream.txt'), 0);
    expect(relay.usage).toEqual({ prompt_tokens: 377, completion_tokens: 65, total_tokens: 442, prompt_tokens_details: { cached_tokens: 0 } });
    expect(relay.responseModel).toBe('claude-opus-4-20250514');
  });

  it('counts as content the deltas, a tool_use start and the stop, never message_start, ping or an empty text start', () => {
    const { outputs } = relayAll(fixtureText('tool-use-stream.txt'), 0);
    const contentByType = outputs.map((output) => (output.kind === 'event' ? [JSON.parse(output.data).type, output.content] : ['failure', true]));
    expect(contentByType.filter(([type]) => type === 'message_start' || type === 'ping').every(([, content]) => content === false)).toBe(true);
    expect(contentByType.filter(([type]) => type === 'content_block_delta').every(([, content]) => content === true)).toBe(true);
    expect(contentByType.find(([type]) => type === 'message_delta')?.[1]).toBe(true);
  });

  it('an error event is the provider failure (overloaded: 529, retryable), not an event to relay', () => {
    const { relay, outputs } = relayAll(fixtureText('error-event-stream.txt'), 0);
    const failure = outputs.at(-1);
    expect(failure).toMatchObject({ kind: 'error', cause: 'provider_error', error: { upstreamStatus: 529, retryable: true } });
    expect(relay.complete).toBe(false);
  });

  it('is closed at message_stop, not before', () => {
    const text = fixtureText('text-stream.txt');
    const relay = new AnthropicEventRelay();
    const stop = text.indexOf('event: message_stop');
    relay.feed(new TextEncoder().encode(text.slice(0, stop)));
    expect(relay.closed).toBe(false);
    relay.feed(new TextEncoder().encode(text.slice(stop) + '\n\n'));
    expect(relay.closed).toBe(true);
  });

  it('closes an answer whose body ended after its stop reason without message_stop', () => {
    const text = fixtureText('text-stream.txt');
    const { relay, outputs } = relayAll(text.slice(0, text.indexOf('event: message_stop')), 0);
    expect(outputs.at(-1)).toEqual({ kind: 'event', data: '{"type":"message_stop"}', content: true });
    expect(outputs.filter((output) => output.kind === 'event' && output.data.includes('"message_stop"'))).toHaveLength(1);
    expect(relay.complete).toBe(true);
  });

  it('a body cut before a stop reason is a stream_cut; a body without events is malformed', () => {
    const text = fixtureText('text-stream.txt');
    expect(relayAll(text.slice(0, text.indexOf('event: message_delta')), 0).outputs.at(-1)).toMatchObject({ kind: 'error', cause: 'stream_cut' });
    expect(relayAll('<html>oops</html>', 0).outputs.at(-1)).toMatchObject({ kind: 'error', cause: 'malformed' });
  });
});
