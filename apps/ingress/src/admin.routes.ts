import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { firstValueFrom, type Observable } from 'rxjs';
import { checkJsonBody } from '@ai-gateway/json-guard';
import type {
  AnalyticsServiceClient,
  ConfigServiceClient,
  ConfigSnapshot,
  KeyVaultAdminServiceClient,
  ProviderKeyEntry,
  ApiKey,
  RouterServiceClient,
  Team,
} from '@ai-gateway/proto';
import { decodeGrpcError, GrpcStatus, isServiceError } from '@ai-gateway/service-kit';
import { effectiveErrorActions, parseRoutingPolicies, routingPoliciesFromProto, routingPoliciesJson, routingPoliciesToProto, RoutingPolicyError } from '@ai-gateway/routing';
import type { ApiKeyAuthenticator } from './api-key.authenticator';
import type { AdminSignInGuard } from './admin-signin.guard';
import { httpError, httpErrorFromGrpc } from './openai-http-error';
import { sendError, sendJson } from './http-reply';
import { ProviderFieldError, providerView, settingsUpdateOf } from './provider-fields';
import { keyPoolStates } from './key-pool-state';
import { budgetField, limitsField, limitsView, PolicyFieldError } from './spend-policy.body';
import type { SpendReport } from './admission/spend.report';
import { registerModelAdminRoutes } from './admin-models.routes';
import { registerDiscoveryAdminRoute } from './admin-discovery.routes';
import { clientAddress } from './trust-proxy';

/** config's GatewayError code for a base URL change to a new origin that was not confirmed (apps/config provider-redirect.policy.ts). */
const PROVIDER_REDIRECT_UNCONFIRMED = 'provider_redirect_unconfirmed';
/** config's GatewayError code for deleting a team that still owns keys. */
const TEAM_IN_USE = 'team_in_use';

export interface AdminDeps {
  auth: ApiKeyAuthenticator;
  config: ConfigServiceClient;
  /**
   * Admin actions that need the router: model discovery (only the router holds provider keys),
   * its key pool state (ListKeyStates, merged into the key listing) and its routing figures
   * (GET /admin/v1/routing/stats); each answered by one router replica.
   */
  router: Pick<RouterServiceClient, 'discoverModels' | 'listKeyStates' | 'getRoutingStats'>;
  keyVault: KeyVaultAdminServiceClient;
  analytics: AnalyticsServiceClient | undefined;
  signIn: AdminSignInGuard;
  /** Audits a refused admin call (never the token it carried). */
  onSignInFailure: (address: string, route: string) => void;
  /** Spend and reservations of keys and teams, from the shared limits state. */
  spend: SpendReport;
}

/** Longest wait for this replica to apply a team change before answering (the next request then sees it). */
const APPLY_WAIT_MS = 2_000;

type Body = Record<string, unknown>;

/** The admin API (CONTRACT.md), behind the admin token; each call is one gRPC call to the owning service. */
export function registerAdminRoutes(app: FastifyInstance, deps: AdminDeps): void {
  const route = (
    method: 'GET' | 'POST' | 'PUT' | 'DELETE',
    url: string,
    handler: (request: FastifyRequest, body: Body) => Promise<{ status: number; body?: unknown }>,
  ): void => {
    app.route({
      method,
      url,
      onRequest: (request, reply, done) => {
        // Every admin answer (a new gateway key among them, and the refusals) is for this caller only.
        reply.header('cache-control', 'no-store');
        reply.header('x-content-type-options', 'nosniff');
        const address = clientAddress(request);
        // Before the body is read: a caller without the admin token never gets a body buffered.
        const lockedMs = deps.signIn.lockedForMs(address);
        if (lockedMs > 0) {
          const answer = httpError(429, 'Too many failed admin sign-ins from this address; try again later.', 'admin_sign_in_locked');
          answer.headers['retry-after'] = String(Math.ceil(lockedMs / 1000));
          reply.header('connection', 'close');
          return sendError(reply, answer);
        }
        if (deps.auth.isAdmin(request.headers.authorization)) return done();
        deps.signIn.recordFailure(address);
        deps.onSignInFailure(address, `${request.method} ${request.routeOptions.url ?? ''}`);
        reply.header('connection', 'close');
        sendError(reply, httpError(401, 'The admin API needs `Authorization: Bearer <ADMIN_TOKEN>`.', 'invalid_admin_token'));
      },
      handler: async (request: FastifyRequest, reply: FastifyReply) => {
        const body = parseBody(request);
        if (body === undefined) return sendError(reply, httpError(400, 'The request body must be a JSON object.', 'invalid_json'));
        try {
          const result = await handler(request, body);
          if (result.body === undefined) return void reply.code(result.status).send();
          return sendJson(reply, result.status, result.body);
        } catch (error) {
          if (error instanceof BadRequest || error instanceof PolicyFieldError || error instanceof RoutingPolicyError) return sendError(reply, httpError(400, error.message, null, error.param));
          if (error instanceof NotFound) return sendError(reply, httpError(404, error.message, error.code, error.param));
          if (error instanceof Unavailable) return sendError(reply, httpError(503, error.message, 'analytics_unavailable'));
          // Not a service's answer but a failure of this code: the scope's error handler logs it and
          // answers a fixed 502, so its text never reaches the client.
          if (!isServiceError(error)) throw error;
          const decoded = decodeGrpcError(error);
          if (decoded.code === GrpcStatus.FAILED_PRECONDITION && decoded.detail?.openaiErrorCode === TEAM_IN_USE) {
            return sendError(reply, httpError(409, decoded.message, TEAM_IN_USE, null, 'invalid_request_error'));
          }
          if (decoded.code === GrpcStatus.FAILED_PRECONDITION && decoded.detail?.openaiErrorCode === PROVIDER_REDIRECT_UNCONFIRMED) {
            return sendError(reply, httpError(409, decoded.message, PROVIDER_REDIRECT_UNCONFIRMED, 'confirmKeyRedirect', 'invalid_request_error'));
          }
          return sendError(reply, httpErrorFromGrpc(error));
        }
      },
    });
  };
  const actor = 'admin-token';
  const call = <T>(source: Observable<T>): Promise<T> => firstValueFrom(source);

  route('GET', '/admin/v1/providers', async () => ({ status: 200, body: providersOf(await call(deps.config.getSnapshot({}))) }));
  route('PUT', '/admin/v1/providers/:id', async (request, body) => {
    const { id } = request.params as { id: string };
    const models = optionalStringArray(body, 'models');
    const { settings, settingsFields } = kindFields(body);
    const result = await call(
      deps.config.putProvider({
        id,
        kind: optionalString(body, 'kind'),
        baseUrl: optionalString(body, 'baseUrl'),
        enabled: optionalBoolean(body, 'enabled'),
        models: models ?? [],
        hasModels: models !== undefined,
        settings,
        settingsFields,
        // Moving an existing provider to another origin sends its keys there: the admin says so explicitly.
        confirmKeyRedirect: optionalBoolean(body, 'confirmKeyRedirect') ?? false,
        addModels: [],
      }),
    );
    return { status: result.created ? 201 : 200, body: result.provider ? providerView(result.provider) : undefined };
  });
  route('PUT', '/admin/v1/routing/priority', async (_request, body) => {
    const order = optionalStringArray(body, 'order');
    if (!order) throw new BadRequest('"order" must be a list of provider ids', 'order');
    return { status: 200, body: { order: (await call(deps.config.setPriority({ order }))).providers.map((p) => p.id) } };
  });
  route('GET', '/admin/v1/routing/fallbacks', async () => ({ status: 200, body: { fallbacks: fallbacksOf(await call(deps.config.getSnapshot({}))) } }));
  route('PUT', '/admin/v1/routing/fallbacks', async (_request, body) => {
    const map = body.fallbacks;
    if (typeof map !== 'object' || map === null || Array.isArray(map)) throw new BadRequest('"fallbacks" must map model names to lists of models', 'fallbacks');
    const fallbacks: Record<string, { models: string[] }> = {};
    for (const [model, list] of Object.entries(map)) {
      if (!Array.isArray(list) || list.some((m) => typeof m !== 'string')) throw new BadRequest(`fallbacks of "${model}" must be a list of model names`, 'fallbacks');
      fallbacks[model] = { models: list as string[] };
    }
    return { status: 200, body: { fallbacks: fallbacksOf(await call(deps.config.setFallbacks({ fallbacks }))) } };
  });

  // Error-aware fallback: provider error code or type → fallback | next | return, over the router's defaults.
  route('GET', '/admin/v1/routing/error-actions', async () => ({
    status: 200,
    body: { errorActions: effectiveErrorActions((await call(deps.config.getSnapshot({}))).errorActions) },
  }));
  route('PUT', '/admin/v1/routing/error-actions', async (_request, body) => {
    const map = body.errorActions;
    if (typeof map !== 'object' || map === null || Array.isArray(map)) throw new BadRequest('"errorActions" must map error codes or types to actions', 'errorActions');
    if (Object.values(map).some((action) => typeof action !== 'string')) throw new BadRequest('each action in "errorActions" must be a string: fallback, next or return', 'errorActions');
    const errorActions = Object.fromEntries(Object.entries(map) as Array<[string, string]>);
    return { status: 200, body: { errorActions: effectiveErrorActions((await call(deps.config.setErrorActions({ errorActions }))).errorActions) } };
  });

  // Routing policies (issue 18): shape checked here, weights against the providers by config.
  route('GET', '/admin/v1/routing/policies', async () => ({
    status: 200,
    body: routingPoliciesJson(routingPoliciesFromProto((await call(deps.config.getSnapshot({}))).routingPolicies)),
  }));
  route('PUT', '/admin/v1/routing/policies', async (_request, body) => {
    const snapshot = await call(deps.config.setRoutingPolicies(routingPoliciesToProto(parseRoutingPolicies(body))));
    return { status: 200, body: routingPoliciesJson(routingPoliciesFromProto(snapshot.routingPolicies)) };
  });
  route('GET', '/admin/v1/routing/stats', async () => {
    const { stats } = await call(deps.router.getRoutingStats({}));
    return {
      status: 200,
      body: {
        scope: 'replica',
        stats: stats.map((entry) => ({
          provider: entry.provider,
          model: entry.model,
          ewmaTtftMs: entry.ewmaTtftMs || null,
          ewmaLatencyMs: entry.ewmaLatencyMs || null,
          errorRate: entry.errorRate,
          latencySamples: Number(entry.latencySamples),
          outcomeSamples: Number(entry.outcomeSamples),
        })),
      },
    };
  });

  route('GET', '/admin/v1/provider-keys', async () => {
    const [listed, states] = await Promise.all([call(deps.keyVault.listKeys({})), keyPoolStates(() => deps.router.listKeyStates({}))]);
    return { status: 200, body: listed.keys.map((entry) => ({ ...maskedEntry(entry), ...states.get(entry.id) })) };
  });
  route('POST', '/admin/v1/provider-keys', async (_request, body) => {
    const provider = requiredString(body, 'provider');
    const key = requiredString(body, 'key');
    const snapshot = await call(deps.config.getSnapshot({}));
    if (!snapshot.providers.some((p) => p.id === provider)) throw new NotFound(`There is no provider \`${provider}\`; create it first.`, 'provider_not_found', 'provider');
    const entry = await call(deps.keyVault.addKey({ provider, key, name: optionalString(body, 'name') ?? '', actor }));
    return { status: 201, body: maskedEntry(entry) };
  });
  route('POST', '/admin/v1/provider-keys/rewrap', async (_request, body) => {
    const result = await call(deps.keyVault.rewrapKeys({ toKmsKeyId: requiredString(body, 'toKmsKeyId'), actor }));
    return { status: 200, body: { moved: result.moved } };
  });
  route('POST', '/admin/v1/provider-keys/:id/rotate', async (request, body) => {
    const { id } = request.params as { id: string };
    const entry = await call(deps.keyVault.rotateKey({ id, key: requiredString(body, 'key'), actor }));
    return { status: 200, body: maskedEntry(entry) };
  });
  route('DELETE', '/admin/v1/provider-keys/:id', async (request) => {
    const { id } = request.params as { id: string };
    await call(deps.keyVault.deleteKey({ id, actor }));
    return { status: 204 };
  });

  route('POST', '/admin/v1/api-keys', async (_request, body) => {
    const created = await call(
      deps.config.createApiKey({
        name: requiredString(body, 'name'),
        allowedModels: optionalStringArray(body, 'allowedModels') ?? [],
        teamId: optionalString(body, 'teamId') ?? '',
        budget: budgetField(body),
        limits: limitsField(body),
        expiresAt: optionalString(body, 'expiresAt') ?? '',
      }),
    );
    return { status: 201, body: { ...apiKeyView(created.entry as ApiKey), key: created.key } };
  });
  route('GET', '/admin/v1/api-keys', async () => ({ status: 200, body: (await call(deps.config.listApiKeys({}))).keys.map(apiKeyView) }));
  route('GET', '/admin/v1/api-keys/:id/spend', async (request) => {
    const { id } = request.params as { id: string };
    const key = (await call(deps.config.getSnapshot({}))).apiKeys.find((k) => k.id === id);
    if (!key) throw new NotFound(`There is no API key \`${id}\`.`, 'api_key_not_found', null);
    return { status: 200, body: await deps.spend.ofKey(key) };
  });

  route('POST', '/admin/v1/teams', async (_request, body) => {
    const team = await call(
      deps.config.createTeam({ name: requiredString(body, 'name'), allowedModels: optionalStringArray(body, 'allowedModels') ?? [], budget: budgetField(body), limits: limitsField(body) }),
    );
    return { status: 201, body: teamView(team) };
  });
  route('GET', '/admin/v1/teams', async () => ({ status: 200, body: (await call(deps.config.getSnapshot({}))).teams.map(teamView) }));
  const teamOf = async (id: string): Promise<Team> => {
    const team = (await call(deps.config.getSnapshot({}))).teams.find((t) => t.id === id);
    if (!team) throw new NotFound(`There is no team \`${id}\`.`, 'team_not_found', null);
    return team;
  };
  route('GET', '/admin/v1/teams/:id', async (request) => ({ status: 200, body: teamView(await teamOf((request.params as { id: string }).id)) }));
  // The fields sent replace the team's; a field left out keeps its value, null removes a budget or limits.
  route('PUT', '/admin/v1/teams/:id', async (request, body) => {
    const existing = await teamOf((request.params as { id: string }).id);
    const team = await call(
      deps.config.updateTeam({
        ...existing,
        name: 'name' in body ? requiredString(body, 'name') : existing.name,
        allowedModels: 'allowedModels' in body ? (optionalStringArray(body, 'allowedModels') ?? []) : existing.allowedModels,
        budget: 'budget' in body ? budgetField(body) : existing.budget,
        limits: 'limits' in body ? limitsField(body) : existing.limits,
      }),
    );
    // This replica applies the change before answering: its next request is admitted under the new limits.
    await deps.auth.whenRevision((await call(deps.config.getSnapshot({}))).revision, APPLY_WAIT_MS);
    return { status: 200, body: teamView(team) };
  });
  route('DELETE', '/admin/v1/teams/:id', async (request) => {
    const { id } = request.params as { id: string };
    try {
      await call(deps.config.deleteTeam({ id }));
    } catch (error) {
      const decoded = decodeGrpcError(error);
      if (decoded.code === GrpcStatus.NOT_FOUND) throw new NotFound(`There is no team \`${id}\`.`, 'team_not_found', null);
      throw error;
    }
    // The team is gone from config: its spend entry goes too (best effort; an orphan costs only bytes).
    await deps.spend.forget({ kind: 'team', id }).catch(() => undefined);
    return { status: 204 };
  });
  route('GET', '/admin/v1/teams/:id/spend', async (request) => ({ status: 200, body: await deps.spend.ofTeam(await teamOf((request.params as { id: string }).id)) }));
  route('DELETE', '/admin/v1/api-keys/:id', async (request) => {
    const { id } = request.params as { id: string };
    await call(deps.config.deleteApiKey({ id }));
    await deps.spend.forget({ kind: 'key', id }).catch(() => undefined);
    return { status: 204 };
  });

  route('GET', '/admin/v1/analytics/providers', async () => {
    if (!deps.analytics) throw new Unavailable('analytics is not configured (ANALYTICS_URL)');
    const health = await call(deps.analytics.getProviderHealth({}));
    return {
      status: 200,
      body: health.providers.map((p) => ({
        provider: p.provider,
        status: p.status,
        requests: p.requests,
        errorRate: p.errorRate,
        latencyMs: { p50: p.latencyMs?.p50 ?? 0, p95: p.latencyMs?.p95 ?? 0 },
        timeToFirstTokenMs: { p50: p.timeToFirstTokenMs?.p50 ?? 0, p95: p.timeToFirstTokenMs?.p95 ?? 0 },
      })),
    };
  });
  route('GET', '/admin/v1/analytics/usage', async (request) => {
    if (!deps.analytics) throw new Unavailable('analytics is not configured (ANALYTICS_URL)');
    const window = Number((request.query as { windowSeconds?: string }).windowSeconds ?? 300);
    return { status: 200, body: (await call(deps.analytics.getUsage({ windowSeconds: Number.isFinite(window) ? window : 300 }))).rows };
  });

  registerModelAdminRoutes(route, deps);
  registerDiscoveryAdminRoute(route, deps);
}

class BadRequest extends Error {
  constructor(
    message: string,
    readonly param: string | null,
  ) {
    super(message);
  }
}

class NotFound extends Error {
  constructor(
    message: string,
    readonly code: string,
    readonly param: string | null,
  ) {
    super(message);
  }
}

class Unavailable extends Error {}

function parseBody(request: FastifyRequest): Body | undefined {
  const raw = request.body;
  if (!Buffer.isBuffer(raw) || raw.length === 0) return {};
  if (checkJsonBody(raw)) return undefined;
  try {
    const value: unknown = JSON.parse(raw.toString('utf8'));
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Body) : undefined;
  } catch {
    return undefined;
  }
}

function requiredString(body: Body, field: string): string {
  const value = body[field];
  if (typeof value !== 'string' || value.length === 0) throw new BadRequest(`"${field}" is required`, field);
  return value;
}

function optionalString(body: Body, field: string): string | undefined {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw new BadRequest(`"${field}" must be a string`, field);
  return value;
}

function optionalBoolean(body: Body, field: string): boolean | undefined {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'boolean') throw new BadRequest(`"${field}" must be true or false`, field);
  return value;
}

function optionalStringArray(body: Body, field: string): string[] | undefined {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) throw new BadRequest(`"${field}" must be a list of strings`, field);
  return value as string[];
}

function providersOf(snapshot: ConfigSnapshot) {
  return snapshot.providers.map(providerView);
}

function kindFields(body: Body): ReturnType<typeof settingsUpdateOf> {
  try {
    return settingsUpdateOf(body);
  } catch (error) {
    if (error instanceof ProviderFieldError) throw new BadRequest(error.message, error.param);
    throw error;
  }
}

function fallbacksOf(snapshot: ConfigSnapshot): Record<string, string[]> {
  return Object.fromEntries(Object.entries(snapshot.fallbacks).map(([model, list]) => [model, list.models]));
}

function maskedEntry(entry: ProviderKeyEntry) {
  return { id: entry.id, provider: entry.provider, name: entry.name, last4: entry.last4, createdAt: entry.createdAt, rotatedAt: entry.rotatedAt || null };
}

function apiKeyView(key: ApiKey) {
  return {
    id: key.id,
    name: key.name,
    allowedModels: key.allowedModels,
    createdAt: key.createdAt,
    teamId: key.teamId || null,
    budget: key.budget ?? null,
    limits: limitsView(key.limits),
    expiresAt: key.expiresAt || null,
  };
}

function teamView(team: Team) {
  return { id: team.id, name: team.name, allowedModels: team.allowedModels, budget: team.budget ?? null, limits: limitsView(team.limits), createdAt: team.createdAt };
}
