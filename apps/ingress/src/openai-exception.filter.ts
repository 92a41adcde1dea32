import { Catch, HttpException, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { sendError } from './http-reply';
import { httpError } from './openai-http-error';

/**
 * What reaches Nest's own handlers (a method Fastify does not route, anything outside the
 * gateway's scope) answers in OpenAI's shape like the rest of the surface.
 */
@Catch()
export class OpenAiExceptionFilter implements ExceptionFilter {
  catch(exception: unknown, host: ArgumentsHost): void {
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    const status = exception instanceof HttpException ? exception.getStatus() : 500;
    if (status === 404) return sendError(reply, httpError(404, 'Unknown path or method.', 'unknown_url'));
    if (status < 500) return sendError(reply, httpError(400, 'The request could not be handled.', 'invalid_request'));
    sendError(reply, httpError(502, 'The gateway failed to handle the request.'));
  }
}
