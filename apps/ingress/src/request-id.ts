import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { correlationIdOf } from './correlation-id';
import { isAnthropicFormat } from './wire-format';

export interface RequestIds {
  /** The gateway's own id: the usage event's identity and its de-duplication id. */
  requestId: string;
  /** The client's x-request-id, kept for correlation only. */
  correlationId: string;
  /** Answered in Anthropic's shapes: the id also goes out as `request-id`, where Anthropic's SDK reads it (`APIError.requestID`). */
  anthropic: boolean;
}

const ids = new WeakMap<IncomingMessage, string>();

/**
 * The gateway's id of a request, made the first time it is asked for and the same ever after:
 * the header the client gets, the router call and the usage event (whoever records it) all read
 * it here. The client's x-request-id never replaces it (it would let a client suppress metering).
 */
export function requestIdOf(request: IncomingMessage): string {
  let id = ids.get(request);
  if (id === undefined) {
    id = `req_${randomUUID().replace(/-/g, '')}`;
    ids.set(request, id);
  }
  return id;
}

/**
 * Sets the request's id headers on its answer, whatever the answer turns out to be (refusals
 * included): `x-gateway-request-id`, `x-request-id` (the client's own when it sent a usable one)
 * and, for Anthropic's shapes, `request-id`. Run once the wire format is known; running it again
 * sets the same values.
 */
export function identifyRequest(request: FastifyRequest, reply: FastifyReply): RequestIds {
  const requestIds = { requestId: requestIdOf(request.raw), correlationId: correlationIdOf(request.headers['x-request-id']), anthropic: isAnthropicFormat(request.raw) };
  reply.header('x-request-id', requestIds.correlationId || requestIds.requestId);
  reply.header('x-gateway-request-id', requestIds.requestId);
  if (requestIds.anthropic) reply.header('request-id', requestIds.requestId);
  return requestIds;
}
