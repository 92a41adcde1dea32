import { credentials, makeGenericClientConstructor, type Client } from '@grpc/grpc-js';
import type { FastifyInstance } from 'fastify';
import { service as healthService } from 'grpc-health-check';
import { grpcChannelOptions } from '@ai-gateway/service-kit';
import type { ApiKeyAuthenticator } from './api-key.authenticator';
import { sendJson } from './http-reply';

type HealthClient = Client & {
  check(request: { service: string }, options: { deadline: number }, callback: (error: Error | null, response?: { status: string | number }) => void): void;
};

/** The router's control-plane dependencies, as named health statuses it keeps (router ControlPlaneStatus). */
const CONTROL_PLANE = ['key_vault', 'config', 'nats'] as const;

const HealthClientConstructor = makeGenericClientConstructor(healthService, 'Health');

/**
 * /healthz: the process is alive. /readyz: the router answers its gRPC health check and config is
 * loaded, with the router's control-plane detail (`controlPlane`, `servingFromLastKnown`: what it
 * serves from its last config and keys for); 503 `draining` once a drain began (the process stays alive and serving during the grace).
 */
export function registerHealthRoutes(app: FastifyInstance, deps: { routerUrl: string; auth: ApiKeyAuthenticator; draining: () => boolean }): () => void {
  const channel = grpcChannelOptions(deps.routerUrl);
  const router = new HealthClientConstructor(channel.target, credentials.createInsecure(), channel.options) as unknown as HealthClient;
  app.get('/healthz', (_request, reply) => sendJson(reply, 200, { status: 'ok' }));
  app.get('/readyz', async (_request, reply) => {
    if (deps.draining()) return sendJson(reply, 503, { status: 'draining' });
    const check = (service: string): Promise<boolean> =>
      new Promise<boolean>((resolve) =>
        router.check({ service }, { deadline: Date.now() + 1_000 }, (error, response) =>
          resolve(!error && (response?.status === 'SERVING' || response?.status === 1)),
        ),
      );
    const routerServing = await check('');
    // What the router reaches of the control plane; when something is away it serves from the
    // last config and keys it had, which keeps it ready (the detail says so).
    const controlPlane = routerServing
      ? Object.fromEntries(await Promise.all(CONTROL_PLANE.map(async (component) => [component, await check(`gateway.control_plane.${component}`)] as const)))
      : undefined;
    const lastKnown = controlPlane ? Object.entries(controlPlane).filter(([, up]) => !up).map(([component]) => component) : [];
    const ready = routerServing && deps.auth.isLoaded();
    sendJson(reply, ready ? 200 : 503, {
      status: ready ? 'ready' : 'not ready',
      router: routerServing,
      config: deps.auth.isLoaded(),
      ...(controlPlane ? { controlPlane, servingFromLastKnown: lastKnown } : {}),
    });
  });
  return () => router.close();
}
