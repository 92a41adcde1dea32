import { isUtf8 } from 'node:buffer';

/**
 * Deepest nesting of arrays and objects a request body may have. Chat bodies nest about six
 * levels (messages → content parts → image_url, tools → parameters → JSON schema); 64 leaves
 * room for deep tool schemas while keeping every recursive walk of the body (serialisers,
 * translators, SDKs) far from the stack limit that 100,000 levels reach.
 */
export const MAX_JSON_DEPTH = 64;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const COMMA = 0x2c;

export type JsonBodyProblem =
  | { kind: 'invalid_utf8' }
  | { kind: 'too_deep'; maxDepth: number }
  | { kind: 'duplicate_key'; key: string };

/**
 * One linear pass over a JSON body before it is parsed: valid UTF-8, nesting within
 * `maxDepth`, and no object with the same key twice (after unescaping, so
 * `"stream\u005foptions"` duplicates `"stream_options"`). Duplicate keys are refused because
 * parsers disagree on which one wins: the body the gateway meters must be the body the
 * provider reads. Syntax errors are left to JSON.parse.
 */
export function checkJsonBody(bytes: Uint8Array, maxDepth: number = MAX_JSON_DEPTH): JsonBodyProblem | undefined {
  if (!isUtf8(bytes)) return { kind: 'invalid_utf8' };
  const buffer = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  // Per open container: its keys so far (objects) or undefined (arrays).
  const open: Array<Set<string> | undefined> = [];
  let expectKey = false;
  for (let i = 0; i < buffer.length; i++) {
    const byte = buffer[i];
    if (byte === QUOTE) {
      const end = stringEnd(buffer, i);
      if (end === -1) return undefined;
      const keys = open[open.length - 1];
      if (expectKey && keys) {
        const key = keyText(buffer, i, end);
        if (keys.has(key)) return { kind: 'duplicate_key', key: key.slice(0, 64) };
        keys.add(key);
        expectKey = false;
      }
      i = end;
    } else if (byte === OPEN_BRACE || byte === OPEN_BRACKET) {
      if (open.length >= maxDepth) return { kind: 'too_deep', maxDepth };
      open.push(byte === OPEN_BRACE ? new Set<string>() : undefined);
      expectKey = byte === OPEN_BRACE;
    } else if (byte === CLOSE_BRACE || byte === CLOSE_BRACKET) {
      open.pop();
      expectKey = false;
    } else if (byte === COMMA) {
      expectKey = open[open.length - 1] !== undefined;
    }
  }
  return undefined;
}

/** Index of the closing quote of the string opening at `start`, or -1 when it never closes. */
function stringEnd(buffer: Buffer, start: number): number {
  for (let i = start + 1; i < buffer.length; i++) {
    const byte = buffer[i];
    if (byte === BACKSLASH) i++;
    else if (byte === QUOTE) return i;
  }
  return -1;
}

function keyText(buffer: Buffer, start: number, end: number): string {
  const raw = buffer.toString('utf8', start + 1, end);
  if (!raw.includes('\\')) return raw;
  try {
    return JSON.parse(buffer.toString('utf8', start, end + 1)) as string;
  } catch {
    return raw;
  }
}
