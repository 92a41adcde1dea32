import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { REPO_ROOT } from '../find-binary';
import { compareRoutes, describedRouteKeys, openApiPath, recordRoutes, UNDESCRIBED_ROUTES } from './openapi-routes';

type Document = { paths: Record<string, Record<string, unknown>> } & Record<string, unknown>;
const DOCUMENT = JSON.parse(readFileSync(join(REPO_ROOT, 'apps/ingress/openapi/openapi.json'), 'utf8')) as Document;

/** A Fastify app with one route per described operation (and the routes left out on purpose), plus `extra`. */
async function appServing(document: Document, extra: (app: FastifyInstance) => void = () => undefined): Promise<{ app: FastifyInstance; routes: Set<string> }> {
  const app = Fastify();
  const routes = recordRoutes(app);
  for (const key of [...describedRouteKeys(document), ...Object.keys(UNDESCRIBED_ROUTES)]) {
    const [method, path] = key.split(' ');
    const url = path.replace(/\{([^}]+)\}/g, ':$1');
    if (method === '*') app.all(url, async () => ({}));
    else app.route({ method, url, handler: async () => ({}) });
  }
  extra(app);
  await app.ready();
  return { app, routes };
}

describe('the OpenAPI route check', () => {
  it('passes when every route is described and every description has a route', async () => {
    const { app, routes } = await appServing(DOCUMENT);
    expect(compareRoutes(routes, DOCUMENT)).toEqual({ undescribed: [], unrouted: [] });
    await app.close();
  });

  it('fails when a route is added without a description', async () => {
    const { app, routes } = await appServing(DOCUMENT, (fastify) => {
      fastify.post('/v1/responses', async () => ({}));
      fastify.delete('/admin/v1/providers/:id', async () => ({}));
    });
    expect(compareRoutes(routes, DOCUMENT)).toEqual({ undescribed: ['DELETE /admin/v1/providers/{id}', 'POST /v1/responses'], unrouted: [] });
    await app.close();
  });

  it('fails when a description has no route', async () => {
    const { app, routes } = await appServing(DOCUMENT);
    const described: Document = { ...DOCUMENT, paths: { ...DOCUMENT.paths, '/v1/audio/speech': { post: { responses: {} } } } };
    expect(compareRoutes(routes, described)).toEqual({ undescribed: [], unrouted: ['POST /v1/audio/speech'] });
    await app.close();
  });

  it("treats Fastify's automatic HEAD routes as part of their GET, not as undescribed", async () => {
    const { app, routes } = await appServing(DOCUMENT);
    expect(routes.has('HEAD /v1/models')).toBe(true);
    expect(compareRoutes(routes, DOCUMENT).undescribed).toEqual([]);
    await app.close();
  });

  it('writes path parameters the way OpenAPI does', () => {
    expect(openApiPath('/admin/v1/provider-keys/:id/rotate')).toBe('/admin/v1/provider-keys/{id}/rotate');
  });
});

describe('the OpenAPI description', () => {
  it('is OpenAPI 3.1 and every local reference in it resolves', () => {
    expect(DOCUMENT.openapi).toMatch(/^3\.1\.\d+$/);
    const refs: string[] = [];
    const walk = (node: unknown): void => {
      if (Array.isArray(node)) return node.forEach(walk);
      if (typeof node !== 'object' || node === null) return;
      for (const [key, value] of Object.entries(node)) {
        if (key === '$ref' && typeof value === 'string') refs.push(value);
        else walk(value);
      }
    };
    walk(DOCUMENT);
    expect(refs.length).toBeGreaterThan(50);
    const unresolved = refs.filter(
      (ref) =>
        !ref.startsWith('#/') ||
        ref
          .slice(2)
          .split('/')
          .reduce<unknown>((node, key) => (node as Record<string, unknown> | undefined)?.[key.replace(/~1/g, '/').replace(/~0/g, '~')], DOCUMENT) === undefined,
    );
    expect(unresolved).toEqual([]);
  });

  it('describes an OpenAI-shaped error for 400, 401, 408, 413, 429, 431 and 503 on every operation, and names a security requirement for each', () => {
    const missing: string[] = [];
    for (const [path, item] of Object.entries(DOCUMENT.paths)) {
      for (const [method, operation] of Object.entries(item) as Array<[string, { responses: Record<string, unknown>; security?: unknown[] }]>) {
        const statuses = ['400', '408', '413', '429', '431', '503', ...(path.startsWith('/admin/') || path.startsWith('/v1/') ? ['401'] : [])];
        for (const status of statuses) if (!operation.responses[status]) missing.push(`${method.toUpperCase()} ${path} ${status}`);
        if (!Array.isArray(operation.security)) missing.push(`${method.toUpperCase()} ${path} security`);
      }
    }
    expect(missing).toEqual([]);
  });
});
