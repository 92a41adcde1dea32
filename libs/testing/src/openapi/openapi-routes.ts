// The routes a Fastify server registered, compared with the paths of an OpenAPI description, both
// ways: a route without a description, or a described operation without a route, is a problem.
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance, RouteOptions } from 'fastify';

/** An operation as `METHOD /path`, the path in OpenAPI's form (`/admin/v1/providers/{id}`). */
export type RouteKey = string;

const OPENAPI_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;

/**
 * Routes ingress registers that are not part of the API and so not described, each with its reason.
 * Matched by exact method and path (`*` as the method: any method); anything else must be described.
 */
export const UNDESCRIBED_ROUTES: Readonly<Record<RouteKey, string>> = {
  // `scope.all('/*')` (every method Fastify knows): the OpenAI-shaped 404 for unknown paths, not an endpoint.
  '* /*': 'the 404 answer for unknown paths',
  'GET /dashboard': 'the web UI (a redirect to /dashboard/), not an API',
  'GET /dashboard/': 'the web UI (static files), not an API',
  'GET /dashboard/*': 'the web UI (static files), not an API',
};

/** Fastify's `/providers/:id` as OpenAPI's `/providers/{id}`. */
export function openApiPath(fastifyUrl: string): string {
  return fastifyUrl.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
}

/** Every `METHOD /path` a route registers. */
export function routeKeysOf(route: Pick<RouteOptions, 'method' | 'url'>): RouteKey[] {
  const methods = Array.isArray(route.method) ? route.method : [route.method];
  return methods.map((method) => `${method.toUpperCase()} ${openApiPath(route.url)}`);
}

/** Every operation of an OpenAPI document as `METHOD /path`. */
export function describedRouteKeys(document: { paths?: Record<string, Record<string, unknown>> }): RouteKey[] {
  const keys: RouteKey[] = [];
  for (const [path, item] of Object.entries(document.paths ?? {})) {
    for (const method of OPENAPI_METHODS) if (item[method]) keys.push(`${method.toUpperCase()} ${path}`);
  }
  return keys;
}

export interface RouteComparison {
  /** Registered routes the description lacks. */
  undescribed: RouteKey[];
  /** Described operations no route serves. */
  unrouted: RouteKey[];
}

export function compareRoutes(registered: Iterable<RouteKey>, document: { paths?: Record<string, Record<string, unknown>> }, ignored = UNDESCRIBED_ROUTES): RouteComparison {
  const routes = new Set(registered);
  // Fastify adds a HEAD route for every GET on its own (exposeHeadRoutes): the GET's description covers it.
  for (const key of [...routes]) if (key.startsWith('HEAD ') && routes.has(`GET ${key.slice(5)}`)) routes.delete(key);
  const described = new Set(describedRouteKeys(document));
  return {
    undescribed: [...routes].filter((key) => !described.has(key) && !(key in ignored) && !(`* ${key.slice(key.indexOf(' ') + 1)}` in ignored)).sort(),
    unrouted: [...described].filter((key) => !routes.has(key)).sort(),
  };
}

/** Records the routes of a Fastify instance from now on (an onRoute hook: add it before the routes). */
export function recordRoutes(fastify: FastifyInstance): Set<RouteKey> {
  const keys = new Set<RouteKey>();
  fastify.addHook('onRoute', (route) => {
    for (const key of routeKeysOf(route)) keys.add(key);
  });
  return keys;
}

export interface RouteCapture {
  /** The routes of the Fastify server listening on `port`, or undefined when none was seen. */
  routesOn(port: number): Set<RouteKey> | undefined;
  stop(): void;
}

/**
 * Watches every Fastify instance created in this process from now on (Fastify announces each on the
 * `fastify.initialization` diagnostics channel, before any route exists) and records its routes:
 * a real app, booted unchanged, shows what it registers.
 */
export function captureFastifyRoutes(): RouteCapture {
  const instances: Array<{ fastify: FastifyInstance; routes: Set<RouteKey> }> = [];
  const onInit = (message: unknown): void => {
    const { fastify } = message as { fastify: FastifyInstance };
    instances.push({ fastify, routes: recordRoutes(fastify) });
  };
  subscribe('fastify.initialization', onInit);
  return {
    routesOn: (port) =>
      instances.find(({ fastify }) => {
        const address = fastify.server.address() as AddressInfo | string | null;
        return typeof address === 'object' && address !== null && address.port === port;
      })?.routes,
    stop: () => unsubscribe('fastify.initialization', onInit),
  };
}
