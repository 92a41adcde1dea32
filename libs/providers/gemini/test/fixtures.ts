// Recorded Gemini payloads (test/fixtures: *.txt SSE bodies, *.json answers and errors). Sources:
// googleapis/js-genai test/system/recordings, PROVIDERS.md §3, error bodies as quoted in
// google-gemini/gemini-cli and continuedev/continue issues (ids and keys replaced).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const FIXTURES = join(__dirname, 'fixtures');

export function fixtureText(name: string): string {
  return readFileSync(join(FIXTURES, name), 'utf8');
}

export function fixtureJson<T = unknown>(name: string): T {
  return JSON.parse(fixtureText(name)) as T;
}

/** `bytes` cut into pieces of `size` bytes (the last may be shorter); size 0 means one piece. */
export function chunked(bytes: Uint8Array, size: number): Uint8Array[] {
  if (size === 0) return [bytes];
  const pieces: Uint8Array[] = [];
  for (let start = 0; start < bytes.length; start += size) pieces.push(bytes.subarray(start, start + size));
  return pieces;
}

export const CHUNK_SIZES: ReadonlyArray<[string, number]> = [
  ['1-byte', 1],
  ['7-byte', 7],
  ['whole', 0],
];

/** What `action` throws (undefined when it returns), so tests can match the error's fields. */
export function thrownBy(action: () => unknown): unknown {
  try {
    action();
  } catch (error) {
    return error;
  }
  return undefined;
}
