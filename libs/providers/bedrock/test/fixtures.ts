// Recorded Bedrock payloads: Converse responses (*.json objects) and ConverseStream streams
// (*-stream.json: the frames as [message type, event or exception type, JSON payload], encoded
// to binary event-stream frames with the AWS codec, as Bedrock sends them).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { EventStreamCodec } from '@smithy/eventstream-codec';
import { fromUtf8, toUtf8 } from '@smithy/util-utf8';

const FIXTURES = join(__dirname, 'fixtures');
const codec = new EventStreamCodec(toUtf8, fromUtf8);

export function fixtureJson<T>(name: string): T {
  return JSON.parse(readFileSync(join(FIXTURES, name), 'utf8')) as T;
}

type RecordedFrame = ['event' | 'exception', string, object];

/** One frame as Bedrock encodes it. */
export function frame(messageType: 'event' | 'exception', type: string, payload: object | string): Uint8Array {
  const typeHeader = messageType === 'event' ? ':event-type' : ':exception-type';
  return codec.encode({
    headers: {
      [typeHeader]: { type: 'string', value: type },
      ':content-type': { type: 'string', value: 'application/json' },
      ':message-type': { type: 'string', value: messageType },
    },
    body: fromUtf8(typeof payload === 'string' ? payload : JSON.stringify(payload)),
  });
}

/** An error frame (`:message-type` error, `:error-code`, `:error-message`), without a payload. */
export function errorFrame(code: string, message: string): Uint8Array {
  return codec.encode({
    headers: {
      ':message-type': { type: 'string', value: 'error' },
      ':error-code': { type: 'string', value: code },
      ':error-message': { type: 'string', value: message },
    },
    body: new Uint8Array(0),
  });
}

/** A recorded stream as the bytes of its body. */
export function streamBytes(name: string): Buffer {
  return Buffer.concat(fixtureJson<RecordedFrame[]>(name).map(([messageType, type, payload]) => frame(messageType, type, payload)));
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
