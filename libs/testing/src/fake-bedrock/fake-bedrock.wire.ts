import { randomUUID } from 'node:crypto';
import { EventStreamCodec } from '@smithy/eventstream-codec';
import { fromUtf8, toUtf8 } from '@smithy/util-utf8';

// Bedrock Runtime's wire pieces: event-stream frames (encoded with the AWS codec), error
// answers (`x-amzn-errortype` + `{"message"}`) and response headers.

const codec = new EventStreamCodec(toUtf8, fromUtf8);

/** Bedrock pads each event's JSON with a `p` field of random length (a side-channel guard); clients ignore it. */
function padding(): string {
  return 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJ'.slice(0, 4 + Math.floor(Math.random() * 28));
}

/** One ConverseStream event frame: `:event-type`, `:content-type`, `:message-type` = event. */
export function eventFrame(eventType: string, payload: object): Uint8Array {
  return codec.encode({
    headers: {
      ':event-type': { type: 'string', value: eventType },
      ':content-type': { type: 'string', value: 'application/json' },
      ':message-type': { type: 'string', value: 'event' },
    },
    body: fromUtf8(JSON.stringify({ ...payload, p: padding() })),
  });
}

/** An exception frame inside a 200 stream (`throttlingException`, `modelStreamErrorException`, ...). */
export function exceptionFrame(exceptionType: string, message: string): Uint8Array {
  return codec.encode({
    headers: {
      ':exception-type': { type: 'string', value: exceptionType },
      ':content-type': { type: 'string', value: 'application/json' },
      ':message-type': { type: 'string', value: 'exception' },
    },
    body: fromUtf8(JSON.stringify({ message })),
  });
}

/** The error type Bedrock sends for a status when a scenario names none. */
export const ERROR_TYPE_BY_STATUS: Readonly<Record<number, string>> = {
  400: 'ValidationException',
  403: 'AccessDeniedException',
  404: 'ResourceNotFoundException',
  408: 'ModelTimeoutException',
  424: 'ModelErrorException',
  429: 'ThrottlingException',
  500: 'InternalServerException',
  503: 'ServiceUnavailableException',
};

export function errorHeaders(errorType: string, requestId: string): Record<string, string> {
  return {
    'content-type': 'application/json',
    'x-amzn-requestid': requestId,
    'x-amzn-errortype': `${errorType}:http://internal.amazon.com/coral/com.amazon.bedrock/`,
  };
}

export function requestId(): string {
  return randomUUID();
}
