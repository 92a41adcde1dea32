import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { firstValueFrom, type Observable } from 'rxjs';
import { checkJsonBody } from '@ai-gateway/json-guard';
import type {
  AnalyticsServiceClient,
  ConfigServiceClient,
  ConfigSnapshot,
  KeyVaultAdminServiceClient,
  ProviderKeyEntry,
} from '@ai-gateway/proto';
import { decodeGrpcError, GrpcStatus } from '@ai-gateway/service-kit';
import { effectiveErrorActions } from '@ai-gateway/routing';
import type { ApiKeyAuthenticator } from './api-key.authenticator';
import type { AdminSignInGuard } from './admin-signin.guard';
import { httpError, httpErrorFromGrpc } from './openai-http-error';
import { sendError, sendJson } from './http-reply';
import { ProviderFieldError, providerView, settingsUpdateOf } from './provider-fields';

/** config's GatewayError code for a base URL change to a new origin that was not confirmed (apps/config provider-redirect.policy.ts). */
const PROVIDER_REDIRECT_UNCONFIRMED = 'provider_redirect_unconfirmed';

export interface AdminDeps {
  auth: ApiKeyAuthenticator;
  config: ConfigServiceClient;
  keyVault: KeyVaultAdminServiceClient;
  analytics: AnalyticsServiceClient | undefined;
  signIn: AdminSignInGuard;
  /** Audits a refused admin call (never the token it carried). */
  onSignInFailure: (address: string, route: string) => void;
}

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
        // Before the body is read: a caller without the admin token never gets a body buffered.
        const lockedMs = deps.signIn.lockedForMs(request.ip);
        if (lockedMs > 0) {
          const answer = httpError(429, 'Too many failed admin sign-ins from this address; try again later.', 'admin_sign_in_locked');
          answer.headers['retry-after'] = String(Math.ceil(lockedMs / 1000));
          reply.header('connection', 'close');
          return sendError(reply, answer);
        }
        if (deps.auth.isAdmin(request.headers.authorization)) return done();
        deps.signIn.recordFailure(request.ip);
        deps.onSignInFailure(request.ip, `${request.method} ${request.routeOptions.url ?? ''}`);
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
          if (error instanceof BadRequest) return sendError(reply, httpError(400, error.message, null, error.param));
          if (error instanceof NotFound) return sendError(reply, httpError(404, error.message, error.code, error.param));
          if (error instanceof Unavailable) return sendError(reply, httpError(503, error.message, 'analytics_unavailable'));
          const decoded = decodeGrpcError(error);
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
    const errorActions = Object.fromEntries(Object.entries(map).map(([code, action]) => [code, String(action)]));
    return { status: 200, body: { errorActions: effectiveErrorActions((await call(deps.config.setErrorActions({ errorActions }))).errorActions) } };
  });

  route('GET', '/admin/v1/provider-keys', async () => ({ status: 200, body: (await call(deps.keyVault.listKeys({}))).keys.map(maskedEntry) }));
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
    const created = await call(deps.config.createApiKey({ name: requiredString(body, 'name'), allowedModels: optionalStringArray(body, 'allowedModels') ?? [] }));
    return { status: 201, body: { id: created.entry?.id, name: created.entry?.name, key: created.key, allowedModels: created.entry?.allowedModels, createdAt: created.entry?.createdAt } };
  });
  route('GET', '/admin/v1/api-keys', async () => ({
    status: 200,
    body: (await call(deps.config.listApiKeys({}))).keys.map((k) => ({ id: k.id, name: k.name, allowedModels: k.allowedModels, createdAt: k.createdAt })),
  }));
  route('DELETE', '/admin/v1/api-keys/:id', async (request) => {
    const { id } = request.params as { id: string };
    await call(deps.config.deleteApiKey({ id }));
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
