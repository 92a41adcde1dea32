import { credentials, makeGenericClientConstructor, type Client } from '@grpc/grpc-js';
import type { FastifyInstance } from 'fastify';
import { service as healthService } from 'grpc-health-check';
import type { ApiKeyAuthenticator } from './api-key.authenticator';
import { sendJson } from './http-reply';

type HealthClient = Client & {
  check(request: { service: string }, options: { deadline: number }, callback: (error: Error | null, response?: { status: string | number }) => void): void;
};

const HealthClientConstructor = makeGenericClientConstructor(healthService, 'Health');

/**
 * /healthz: the process is alive. /readyz: the router answers its gRPC health check and config is
 * loaded; 503 `draining` once a drain began (the process stays alive and serving during the grace).
 */
export function registerHealthRoutes(app: FastifyInstance, deps: { routerUrl: string; auth: ApiKeyAuthenticator; draining: () => boolean }): () => void {
  const router = new HealthClientConstructor(deps.routerUrl, credentials.createInsecure()) as unknown as HealthClient;
  app.get('/healthz', (_request, reply) => sendJson(reply, 200, { status: 'ok' }));
  app.get('/readyz', async (_request, reply) => {
    if (deps.draining()) return sendJson(reply, 503, { status: 'draining' });
    const routerServing = await new Promise<boolean>((resolve) =>
      router.check({ service: '' }, { deadline: Date.now() + 1_000 }, (error, response) =>
        resolve(!error && (response?.status === 'SERVING' || response?.status === 1)),
      ),
    );
    const ready = routerServing && deps.auth.isLoaded();
    sendJson(reply, ready ? 200 : 503, { status: ready ? 'ready' : 'not ready', router: routerServing, config: deps.auth.isLoaded() });
  });
  return () => router.close();
}
