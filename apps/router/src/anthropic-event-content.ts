import type { ChunkFacts } from './stream-content';

interface EventShape {
  type?: unknown;
  content_block?: { type?: unknown; text?: unknown; thinking?: unknown };
  delta?: { type?: unknown; text?: unknown; partial_json?: unknown; thinking?: unknown; signature?: unknown; stop_reason?: unknown };
}

const DELTA_TEXT_FIELDS = ['text', 'partial_json', 'thinking', 'signature', 'citation'] as const;

/**
 * What one Anthropic Messages stream event (its `data` JSON) carries, as far as routing cares;
 * the equivalent of chunkFacts for the Anthropic wire format. message_start, ping and empty
 * block starts are not content (a failure after them can still fall back); a tool_use block
 * start is (the client learns the tool's name), as is any non-empty delta. A stop_reason in
 * message_delta, or message_stop, ends the answer.
 */
export function anthropicEventFacts(chunk: Uint8Array): ChunkFacts {
  let event: EventShape;
  try {
    event = JSON.parse(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength).toString('utf8')) as EventShape;
  } catch {
    return { content: true, finished: false };
  }
  switch (event?.type) {
    case 'content_block_start': {
      const block = event.content_block ?? {};
      const content = block.type === 'tool_use' || isText(block.text) || isText(block.thinking) || (block.type !== 'text' && block.type !== 'thinking');
      return { content, finished: false };
    }
    case 'content_block_delta': {
      const delta = (event.delta ?? {}) as Record<string, unknown>;
      return { content: DELTA_TEXT_FIELDS.some((field) => isText(delta[field]) || (field === 'citation' && delta[field] !== undefined)), finished: false };
    }
    case 'message_delta': {
      const finished = isText(event.delta?.stop_reason);
      return { content: finished, finished };
    }
    case 'message_stop':
      return { content: true, finished: true };
    case 'message_start':
    case 'content_block_stop':
    case 'ping':
      return { content: false, finished: false };
    default:
      // An event type added later: forwarded, so counted as delivered.
      return { content: true, finished: false };
  }
}

const STOP_REASON_SET = /"stop_reason"\s*:\s*"/;
const MESSAGE_STOP = /^\{\s*"type"\s*:\s*"message_stop"/;

/** Cheap check after the first content: a message_delta carrying a stop_reason, or message_stop. */
export function anthropicEventFinishes(chunk: Uint8Array): boolean {
  const bytes = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  if (bytes.includes('"message_stop"')) return MESSAGE_STOP.test(bytes.toString('utf8'));
  if (!bytes.includes('"message_delta"')) return false;
  return STOP_REASON_SET.test(bytes.toString('utf8'));
}

function isText(value: unknown): boolean {
  return typeof value === 'string' && value.length > 0;
}
