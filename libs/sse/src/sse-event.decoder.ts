export interface SseEvent {
  event: string;
  data: string;
}

/**
 * The longest line the decoder keeps, in UTF-16 code units. Generous for OpenAI-compatible
 * servers that send a whole tool call or a long text in one chunk (real chunks are well under
 * 100 KB); caps what one stream can make a process hold at ~8 MB.
 */
export const MAX_SSE_LINE_CHARS = 4 * 1024 * 1024;
/** The longest event (its data lines together): the same bound, for the same reason. */
export const MAX_SSE_EVENT_CHARS = 4 * 1024 * 1024;

/** The stream broke a decoder limit: the provider's answer is malformed, not worth reading on. */
export class SseLimitError extends Error {
  constructor(
    readonly limit: 'line' | 'event',
    readonly maxChars: number,
  ) {
    super(`an SSE ${limit} is longer than ${maxChars} characters`);
    this.name = 'SseLimitError';
  }
}

export interface SseDecoderLimits {
  maxLineChars?: number;
  maxEventChars?: number;
}

/**
 * Server-sent events from raw bytes that may split anywhere (inside a UTF-8 character, inside
 * `\r\n`). Holds at most the event being read (WHATWG HTML §9.2.6 "event stream interpretation").
 *
 * Linear in the bytes fed: each decoded character is searched for line ends once, a line split
 * over many pieces is kept as a list of pieces and joined once when it ends, and a line or
 * event over its limit throws SseLimitError instead of growing without bound.
 */
export class SseEventDecoder {
  private readonly text = new TextDecoder('utf-8');
  /** Pieces of the line being read (its end not seen yet). */
  private lineParts: string[] = [];
  private lineLength = 0;
  /** The last piece ended with '\r': a '\n' opening the next piece belongs to it. */
  private pendingCr = false;
  private eventName = '';
  private dataLines: string[] = [];
  private dataLength = 0;
  private readonly maxLineChars: number;
  private readonly maxEventChars: number;
  private scanned = 0;

  constructor(limits: SseDecoderLimits = {}) {
    this.maxLineChars = limits.maxLineChars ?? MAX_SSE_LINE_CHARS;
    this.maxEventChars = limits.maxEventChars ?? MAX_SSE_EVENT_CHARS;
  }

  /** Characters searched for line ends so far (each at most twice: once for '\r', once for '\n'). */
  get charsScanned(): number {
    return this.scanned;
  }

  /** Throws SseLimitError when a line or an event is over its limit. */
  decode(bytes: Uint8Array): SseEvent[] {
    return this.read(this.text.decode(bytes, { stream: true }), false);
  }

  /** The body ended: reads what remains, including an event missing its final blank line. */
  end(): SseEvent[] {
    const events = this.read(this.text.decode(), true);
    const last = this.dispatch();
    return last ? [...events, last] : events;
  }

  private read(piece: string, atEnd: boolean): SseEvent[] {
    const events: SseEvent[] = [];
    let start = 0;
    if (this.pendingCr) {
      // The '\r' that ended the previous piece was a line end; the line was held until now
      // only to know whether a '\n' follows (CRLF is one line end, not two).
      if (piece.length > 0 || atEnd) {
        this.pendingCr = false;
        this.endLine('', events);
        if (piece.charCodeAt(0) === 0x0a) start = 1;
      }
    }
    // Next '\r' and '\n' at or after `start`; each is searched again only once passed, so every
    // character is examined at most once per terminator.
    let cr = this.find('\r', start, piece);
    let lf = this.find('\n', start, piece);
    for (;;) {
      if (cr !== -1 && cr < start) cr = this.find('\r', start, piece);
      if (lf !== -1 && lf < start) lf = this.find('\n', start, piece);
      const end = cr === -1 ? lf : lf === -1 ? cr : Math.min(cr, lf);
      if (end === -1) break;
      if (end === cr && end + 1 === piece.length && !atEnd) {
        this.append(piece.slice(start, end));
        this.pendingCr = true;
        return events;
      }
      this.endLine(piece.slice(start, end), events);
      start = end === cr && lf === end + 1 ? end + 2 : end + 1;
    }
    const rest = piece.slice(start);
    if (atEnd) {
      if (rest !== '' || this.lineLength > 0) this.endLine(rest, events);
    } else if (rest !== '') {
      this.append(rest);
    }
    return events;
  }

  private find(char: string, from: number, piece: string): number {
    const at = piece.indexOf(char, from);
    this.scanned += (at === -1 ? piece.length : at + 1) - from;
    return at;
  }

  private append(part: string): void {
    if (part === '') return;
    this.lineLength += part.length;
    if (this.lineLength > this.maxLineChars) throw new SseLimitError('line', this.maxLineChars);
    this.lineParts.push(part);
  }

  private endLine(lastPart: string, events: SseEvent[]): void {
    this.append(lastPart);
    const line = this.lineParts.length === 1 ? this.lineParts[0] : this.lineParts.join('');
    this.lineParts = [];
    this.lineLength = 0;
    const event = this.readLine(line);
    if (event) events.push(event);
  }

  private readLine(line: string): SseEvent | undefined {
    if (line === '') return this.dispatch();
    if (line.startsWith(':')) return undefined;
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    const rawValue = colon === -1 ? '' : line.slice(colon + 1);
    const value = rawValue.startsWith(' ') ? rawValue.slice(1) : rawValue;
    if (field === 'event') this.eventName = value;
    else if (field === 'data') {
      this.dataLength += value.length + 1;
      if (this.dataLength > this.maxEventChars) throw new SseLimitError('event', this.maxEventChars);
      this.dataLines.push(value);
    }
    return undefined;
  }

  private dispatch(): SseEvent | undefined {
    const event = this.dataLines.length > 0 ? { event: this.eventName || 'message', data: this.dataLines.join('\n') } : undefined;
    this.eventName = '';
    this.dataLines = [];
    this.dataLength = 0;
    return event;
  }
}
