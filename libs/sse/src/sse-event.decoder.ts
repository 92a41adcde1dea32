export interface SseEvent {
  event: string;
  data: string;
}

/**
 * Server-sent events from raw bytes that may split anywhere (inside a UTF-8 character, inside
 * `\r\n`). Holds at most the event being read (WHATWG HTML §9.2.6 "event stream interpretation").
 */
export class SseEventDecoder {
  private readonly text = new TextDecoder('utf-8');
  private pending = '';
  private eventName = '';
  private dataLines: string[] = [];

  decode(bytes: Uint8Array): SseEvent[] {
    this.pending += this.text.decode(bytes, { stream: true });
    return this.readLines(false);
  }

  /** The body ended: reads what remains, including an event missing its final blank line. */
  end(): SseEvent[] {
    this.pending += this.text.decode();
    const events = this.readLines(true);
    const last = this.dispatch();
    return last ? [...events, last] : events;
  }

  private readLines(atEnd: boolean): SseEvent[] {
    const events: SseEvent[] = [];
    let start = 0;
    for (;;) {
      const end = this.lineEnd(start);
      if (end === -1) break;
      const isCrLf = this.pending[end] === '\r' && this.pending[end + 1] === '\n';
      // A lone '\r' at the end of what we have may be the first half of "\r\n".
      if (!atEnd && this.pending[end] === '\r' && end + 1 === this.pending.length) break;
      const event = this.readLine(this.pending.slice(start, end));
      if (event) events.push(event);
      start = end + (isCrLf ? 2 : 1);
    }
    const rest = this.pending.slice(start);
    this.pending = atEnd ? '' : rest;
    if (atEnd && rest !== '') this.readLine(rest);
    return events;
  }

  private lineEnd(from: number): number {
    const cr = this.pending.indexOf('\r', from);
    const lf = this.pending.indexOf('\n', from);
    if (cr === -1) return lf;
    if (lf === -1) return cr;
    return Math.min(cr, lf);
  }

  private readLine(line: string): SseEvent | undefined {
    if (line === '') return this.dispatch();
    if (line.startsWith(':')) return undefined;
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    const rawValue = colon === -1 ? '' : line.slice(colon + 1);
    const value = rawValue.startsWith(' ') ? rawValue.slice(1) : rawValue;
    if (field === 'event') this.eventName = value;
    else if (field === 'data') this.dataLines.push(value);
    return undefined;
  }

  private dispatch(): SseEvent | undefined {
    const event = this.dataLines.length > 0 ? { event: this.eventName || 'message', data: this.dataLines.join('\n') } : undefined;
    this.eventName = '';
    this.dataLines = [];
    return event;
  }
}
