import type { ServerResponse } from 'node:http';
import type { FastifyReply } from 'fastify';
import type { HttpError } from './openai-http-error';
import { toAnthropicHttpError } from './anthropic-http-error';
import { isAnthropicFormat } from './wire-format';

const errorTypes = new WeakMap<ServerResponse, string>();

export function sendError(reply: FastifyReply, error: HttpError): void {
  errorTypes.set(reply.raw, error.body.error.code ?? error.body.error.type);
  if (isAnthropicFormat(reply.request.raw)) {
    const anthropic = toAnthropicHttpError(error, headerText(reply.getHeader('x-gateway-request-id')));
    void reply.code(anthropic.status).headers(anthropic.headers).header('content-type', 'application/json').send(JSON.stringify(anthropic.body));
    return;
  }
  void reply.code(error.status).headers(error.headers).header('content-type', 'application/json').send(JSON.stringify(error.body));
}

export function sendJson(reply: FastifyReply, status: number, body: unknown): void {
  void reply.code(status).header('content-type', 'application/json').send(JSON.stringify(body));
}

/** The error code the gateway answered a request with, if it answered one itself. */
export function errorTypeOf(response: ServerResponse): string | undefined {
  return errorTypes.get(response);
}

function headerText(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}
