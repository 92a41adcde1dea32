// Splits a text/event-stream body, fed in arbitrary pieces, into the `data` of each event
// (WHATWG server-sent events: events end at a blank line; `data:` lines join with "\n").

export interface SseEvent {
  event: string | undefined;
  data: string;
}

export class SseEventSplitter {
  private pending = '';
  private readonly decoder = new TextDecoder('utf-8');

  feed(bytes: Uint8Array): SseEvent[] {
    this.pending += this.decoder.decode(bytes, { stream: true });
    return this.drain();
  }

  /** The body ended: returns what is left (an event not closed by a blank line is still an event). */
  finish(): SseEvent[] {
    this.pending += this.decoder.decode();
    const events = this.drain();
    if (this.pending.trim().length > 0) {
      const last = parseEvent(this.pending);
      this.pending = '';
      if (last) events.push(last);
    }
    return events;
  }

  private drain(): SseEvent[] {
    const events: SseEvent[] = [];
    for (;;) {
      const boundary = findBoundary(this.pending);
      if (!boundary) return events;
      const block = this.pending.slice(0, boundary.index);
      this.pending = this.pending.slice(boundary.index + boundary.length);
      const event = parseEvent(block);
      if (event) events.push(event);
    }
  }
}

function findBoundary(text: string): { index: number; length: number } | undefined {
  const candidates = ['\n\n', '\r\n\r\n', '\r\r'];
  let best: { index: number; length: number } | undefined;
  for (const separator of candidates) {
    const index = text.indexOf(separator);
    if (index !== -1 && (!best || index < best.index)) best = { index, length: separator.length };
  }
  return best;
}

function parseEvent(block: string): SseEvent | undefined {
  let event: string | undefined;
  const data: string[] = [];
  for (const rawLine of block.split(/\r\n|\r|\n/)) {
    if (rawLine === '' || rawLine.startsWith(':')) continue;
    const colon = rawLine.indexOf(':');
    const field = colon === -1 ? rawLine : rawLine.slice(0, colon);
    let value = colon === -1 ? '' : rawLine.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'data') data.push(value);
    else if (field === 'event') event = value;
  }
  if (data.length === 0 && event === undefined) return undefined;
  return { event, data: data.join('\n') };
}
