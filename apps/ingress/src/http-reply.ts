import type { FastifyReply } from 'fastify';
import type { HttpError } from './openai-http-error';

export function sendError(reply: FastifyReply, error: HttpError): void {
  void reply.code(error.status).headers(error.headers).header('content-type', 'application/json').send(JSON.stringify(error.body));
}

export function sendJson(reply: FastifyReply, status: number, body: unknown): void {
  void reply.code(status).header('content-type', 'application/json').send(JSON.stringify(body));
}
