import { firstValueFrom } from 'rxjs';
import type { ConfigServiceClient, RouterServiceClient } from '@ai-gateway/proto';
import type { AdminRoute } from './admin-models.routes';
import { httpError } from './openai-http-error';

export interface DiscoveryAdminDeps {
  config: ConfigServiceClient;
  router: Pick<RouterServiceClient, 'discoverModels'>;
}

/** config's bound on one declared model name (apps/config putProvider). */
const MAX_DECLARED_MODEL_LENGTH = 200;

/**
 * `POST /admin/v1/providers/{id}/discover-models` (issue 17): the models an OpenAI-compatible
 * provider's `GET /models` lists, asked by the router (it holds the provider's key). With
 * `{"apply": true}` the ones not declared yet are added to the provider's `models`.
 */
export function registerDiscoveryAdminRoute(route: AdminRoute, deps: DiscoveryAdminDeps): void {
  route('POST', '/admin/v1/providers/:id/discover-models', async (request, body) => {
    const { id } = request.params as { id: string };
    const unknown = Object.keys(body).find((field) => field !== 'apply');
    if (unknown !== undefined) return badRequest(`unknown field "${unknown.slice(0, 64)}" (known: apply)`, unknown.slice(0, 64));
    if (body.apply !== undefined && body.apply !== null && typeof body.apply !== 'boolean') return badRequest('"apply" must be true or false', 'apply');
    const discovered = await firstValueFrom(deps.router.discoverModels({ providerId: id }));
    const answer = { provider: id, models: discovered.models, truncated: discovered.truncated, applied: false, added: [] as string[] };
    if (body.apply !== true) return { status: 200, body: answer };
    const current = (await firstValueFrom(deps.config.getSnapshot({}))).providers.find((p) => p.id === id);
    if (!current) return { status: 404, body: httpError(404, `There is no provider \`${id}\`.`, 'provider_not_found').body };
    const added = discovered.models.filter((model) => model.length <= MAX_DECLARED_MODEL_LENGTH && !current.models.includes(model));
    if (added.length > 0) {
      // Added by config against the list it stores (an edit made meanwhile is kept), bounded there (400 `apply`).
      await firstValueFrom(deps.config.putProvider({ id, models: [], hasModels: false, addModels: added, settingsFields: [], confirmKeyRedirect: false }));
    }
    return { status: 200, body: { ...answer, applied: true, added } };
  });
}

function badRequest(message: string, param: string): { status: number; body: unknown } {
  return { status: 400, body: httpError(400, message, null, param).body };
}
