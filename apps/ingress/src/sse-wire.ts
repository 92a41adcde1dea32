import { toAnthropicHttpError } from './anthropic-http-error';
import type { HttpError } from './openai-http-error';

/** How a stream's pieces are framed for the client, per wire format. */
export interface StreamWire {
  /** The SSE text of one chunk the router relayed (the JSON of one chunk or event). */
  event(chunk: Uint8Array): string;
  /** The in-band error that ends a stream already started. */
  failure(error: HttpError): string;
  /** The status and JSON body of a failure before the stream started. */
  reply(error: HttpError, requestId: string): { status: number; body: string };
  /** What ends a whole stream. */
  readonly done: string;
}

function text(chunk: Uint8Array): string {
  return Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength).toString('utf8');
}

const LINE_BREAK = /\r\n|\r|\n/g;

/**
 * A chunk's JSON on one line. A provider may send one event as several `data:` lines (legal SSE:
 * they join with line breaks, which in valid JSON stand only between tokens); written as they
 * came, every line after the first would lose its `data:` and break the client's framing. As
 * whitespace between tokens, a space means the same.
 */
function oneLine(json: string): string {
  return json.includes('\n') || json.includes('\r') ? json.replace(LINE_BREAK, ' ') : json;
}

/** OpenAI: `data: <chunk>` events, an error object in-band, `data: [DONE]` at the end. */
export const openAiStreamWire: StreamWire = {
  event: (chunk) => `data: ${oneLine(text(chunk))}\n\n`,
  failure: (error) => `data: ${JSON.stringify(error.body)}\n\n`,
  reply: (error) => ({ status: error.status, body: JSON.stringify(error.body) }),
  done: 'data: [DONE]\n\n',
};

const EVENT_TYPE = /^\{\s*"type"\s*:\s*"([a-z_]{1,64})"/;
const SAFE_EVENT_NAME = /^[a-z_]{1,64}$/;

/** An event's name is its JSON's `type` (Anthropic writes it first); a name that could break the framing is never written. */
export function anthropicEventName(json: string): string {
  const fast = EVENT_TYPE.exec(json);
  if (fast) return fast[1];
  try {
    const type = (JSON.parse(json) as { type?: unknown }).type;
    return typeof type === 'string' && SAFE_EVENT_NAME.test(type) ? type : 'unknown';
  } catch {
    return 'unknown';
  }
}

/** One SSE event; a data value with line breaks becomes several `data:` lines, which SSE joins back. */
function anthropicEvent(name: string, json: string): string {
  return `event: ${name}\ndata: ${json.split(/\r\n|\r|\n/).join('\ndata: ')}\n\n`;
}

/** Anthropic Messages: `event: <type>` + `data: <json>`, an `error` event in-band, nothing after message_stop. */
export const anthropicStreamWire: StreamWire = {
  event: (chunk) => {
    const json = text(chunk);
    return anthropicEvent(anthropicEventName(json), json);
  },
  failure: (error) => anthropicEvent('error', JSON.stringify(toAnthropicHttpError(error).body)),
  reply: (error, requestId) => {
    const anthropic = toAnthropicHttpError(error, requestId);
    return { status: anthropic.status, body: JSON.stringify(anthropic.body) };
  },
  done: '',
};
