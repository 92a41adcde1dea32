// Recorded Azure OpenAI and Entra ID payloads (fixtures/README.md names the sources).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const FIXTURES = join(__dirname, 'fixtures');

export function fixtureText(name: string): string {
  return readFileSync(join(FIXTURES, name), 'utf8');
}

/** A recorded HTTP error: status, response headers and the JSON body. */
export interface RecordedError {
  status: number;
  headers: Record<string, string>;
  body: unknown;
}

export function recordedError(name: string): RecordedError {
  return JSON.parse(fixtureText(name)) as RecordedError;
}

/** The `data:` payloads of an SSE fixture, in order. */
export function sseData(text: string): string[] {
  return text
    .split('\n\n')
    .map((event) => event.trim())
    .filter((event) => event.startsWith('data: '))
    .map((event) => event.slice('data: '.length));
}
