import type { Socket } from 'node:net';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { openAiErrorBody } from '@ai-gateway/openai-api';
import { BodyRefused } from './body.reader';
import { sendError } from './http-reply';
import { httpError, type HttpError } from './openai-http-error';

/**
 * Errors Node's HTTP parser raises before any route runs (oversized head, bad request line,
 * headers too slow), answered in OpenAI's shape on the raw socket, then the socket closed.
 */
export function answerClientError(error: Error & { code?: string }, socket: Socket): void {
  if (!socket.writable || error.code === 'ECONNRESET') {
    socket.destroy();
    return;
  }
  const [status, reason, message, code] =
    error.code === 'HPE_HEADER_OVERFLOW'
      ? [431, 'Request Header Fields Too Large', 'The request headers are larger than the gateway accepts.', 'headers_too_large']
      : error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? [408, 'Request Timeout', 'The request was not received in time.', 'request_timeout']
        : [400, 'Bad Request', 'The request is not valid HTTP.', 'invalid_http'];
  const body = JSON.stringify(openAiErrorBody(message, 'invalid_request_error', code));
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
  );
}

/** Fastify's own routing errors (a URL it cannot decode, an over-long path parameter) as OpenAI-shaped 400s. */
export function answerFrameworkError(error: FastifyError, _request: FastifyRequest, reply: FastifyReply): void {
  const code = error.code === 'FST_ERR_BAD_URL' ? 'invalid_url' : 'invalid_request';
  sendError(reply, httpError(400, error.code === 'FST_ERR_BAD_URL' ? 'The request URL is not valid.' : 'The request could not be routed.', code));
}

/**
 * What the gateway's route scope answers for an error that escaped a handler or a parser:
 * the client's faults as 4xx with a fixed message (never the internal error text), ours as 502.
 */
export function answerRouteError(error: unknown, maxBodyBytes: number): HttpError | 'internal' {
  if (error instanceof BodyRefused) return error.answer;
  const status = (error as { statusCode?: number }).statusCode ?? 500;
  if (status === 413) return httpError(413, `The request body is larger than ${maxBodyBytes} bytes.`, 'request_too_large');
  if (status === 415) return httpError(415, 'The request body must be JSON (content-type: application/json).', 'unsupported_media_type');
  if (status < 500) return httpError(400, 'The request could not be read.', 'invalid_request');
  return 'internal';
}
