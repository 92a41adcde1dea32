// Recorded Anthropic payloads (test/fixtures/*.txt SSE bodies, *.json responses and errors).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const FIXTURES = join(__dirname, 'fixtures');

export function fixtureText(name: string): string {
  return readFileSync(join(FIXTURES, name), 'utf8');
}

export function fixtureJson<T>(name: string): T {
  return JSON.parse(fixtureText(name)) as T;
}

/** A recorded HTTP error: status, response headers and the JSON body. */
export interface RecordedError {
  status: number;
  headers: Record<string, string>;
  body: unknown;
}
