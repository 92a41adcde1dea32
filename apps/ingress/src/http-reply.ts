import type { ServerResponse } from 'node:http';
import type { FastifyReply } from 'fastify';
import type { HttpError } from './openai-http-error';

const errorTypes = new WeakMap<ServerResponse, string>();

export function sendError(reply: FastifyReply, error: HttpError): void {
  errorTypes.set(reply.raw, error.body.error.code ?? error.body.error.type);
  void reply.code(error.status).headers(error.headers).header('content-type', 'application/json').send(JSON.stringify(error.body));
}

export function sendJson(reply: FastifyReply, status: number, body: unknown): void {
  void reply.code(status).header('content-type', 'application/json').send(JSON.stringify(body));
}

/** The error code the gateway answered a request with, if it answered one itself. */
export function errorTypeOf(response: ServerResponse): string | undefined {
  return errorTypes.get(response);
}
