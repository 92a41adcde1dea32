import type { FastifyInstance } from 'fastify';
import document from '../openapi/openapi.json';

/**
 * The OpenAPI 3.1 description of the public and admin API (apps/ingress/openapi/openapi.json),
 * without authentication. Imported rather than read from disk, so the build carries it next to
 * the compiled ingress (dist/apps/ingress/openapi/openapi.json) and serialised once at start.
 */
export const OPENAPI_DOCUMENT: Readonly<Record<string, unknown>> = document;

export function registerOpenApiRoutes(app: FastifyInstance): void {
  const body = JSON.stringify(OPENAPI_DOCUMENT);
  app.get('/openapi.json', (_request, reply) => void reply.code(200).header('content-type', 'application/json').header('cache-control', 'no-cache').send(body));
}
