import type { FastifyRequest } from 'fastify';
import { firstValueFrom } from 'rxjs';
import { DEFAULT_MODEL_INDEX, modelOverrideProblem, ProviderModelCatalog, type CatalogModel } from '@ai-gateway/model-catalog';
import type { ConfigServiceClient, ConfigSnapshot, ModelOverride } from '@ai-gateway/proto';
import type { ApiKeyAuthenticator } from './api-key.authenticator';
import { httpError } from './openai-http-error';

/** The admin API's route helper (admin.routes.ts): admin token checked, JSON body parsed, gRPC errors mapped. */
export type AdminRoute = (
  method: 'GET' | 'POST' | 'PUT' | 'DELETE',
  url: string,
  handler: (request: FastifyRequest, body: Record<string, unknown>) => Promise<{ status: number; body?: unknown }>,
) => void;

export interface ModelAdminDeps {
  config: ConfigServiceClient;
  auth: Pick<ApiKeyAuthenticator, 'whenRevision'>;
}

/** Longest wait for this replica to apply the change before answering (its next request then prices with it). */
const APPLY_WAIT_MS = 2_000;

const OVERRIDE_FIELDS = ['inputUsdPerMTok', 'outputUsdPerMTok', 'contextWindow', 'maxOutputTokens', 'providers'] as const;

/** One model of the effective catalog as GET /admin/v1/models lists it. */
export interface ModelView {
  name: string;
  source: 'catalog' | 'override';
  /** USD per 1M tokens; the dearest kind's when kinds price it differently. */
  inputUsdPerMTok: number;
  outputUsdPerMTok: number;
  contextWindow: number;
  maxOutputTokens: number;
  /** Catalog kinds with an entry for it (`added` for a model only an override knows). */
  kinds: string[];
  /** Configured providers serving it (enabled or not, with a key or not). */
  providers: string[];
  /** The built-in entry's values, null for an added model. */
  builtIn: { inputUsdPerMTok: number; outputUsdPerMTok: number; contextWindow: number; maxOutputTokens: number } | null;
  override: Omit<ModelOverride, 'name'> | null;
}

/**
 * Price overrides and added models (issue 17): GET lists the effective catalog, PUT replaces the
 * override of one model name, DELETE removes it. Names may hold `/` (`meta-llama/...`): the name is
 * the rest of the path.
 */
export function registerModelAdminRoutes(route: AdminRoute, deps: ModelAdminDeps): void {
  const snapshotNow = (): Promise<ConfigSnapshot> => firstValueFrom(deps.config.getSnapshot({}));
  const applied = async (): Promise<void> => deps.auth.whenRevision((await snapshotNow()).revision, APPLY_WAIT_MS);

  route('GET', '/admin/v1/models', async () => ({ status: 200, body: effectiveModels(await snapshotNow()) }));

  route('PUT', '/admin/v1/models/:name', async (request, body) => {
    const name = nameOf(request);
    const parsed = overrideOf(name, body);
    if ('error' in parsed) return { status: 400, body: httpError(400, parsed.error.message, null, parsed.error.param).body };
    const snapshot = await snapshotNow();
    const problem = modelOverrideProblem(parsed.override, { providerIds: new Set(snapshot.providers.map((p) => p.id)) });
    if (problem) return { status: 400, body: httpError(400, problem.message, null, problem.param).body };
    await firstValueFrom(deps.config.putModelOverride({ ...parsed.override, updatedAt: '' }));
    // This replica prices its next request with the change before answering.
    await applied();
    const view = effectiveModels(await snapshotNow()).find((model) => model.name === canonicalNameOf(name));
    if (!view) throw new Error(`model ${name.slice(0, 200)} missing from the catalog after its override was stored`);
    return { status: 200, body: view };
  });

  route('DELETE', '/admin/v1/models/:name', async (request) => {
    await firstValueFrom(deps.config.deleteModelOverride({ name: nameOf(request) }));
    await applied();
    return { status: 204 };
  });
}

function nameOf(request: FastifyRequest): string {
  return (request.params as { name?: string }).name ?? '';
}

function canonicalNameOf(name: string): string {
  return DEFAULT_MODEL_INDEX.find(name)?.canonicalName ?? name;
}

type Parsed = { override: Omit<ModelOverride, 'updatedAt'> } | { error: { message: string; param: string } };

/** The PUT body as an override: only the known fields, each of its type (bounds are modelOverrideProblem's). */
function overrideOf(name: string, body: Record<string, unknown>): Parsed {
  const unknown = Object.keys(body).filter((field) => !(OVERRIDE_FIELDS as readonly string[]).includes(field));
  if (unknown.length > 0) {
    return { error: { message: `unknown field "${unknown[0].slice(0, 64)}" (known: ${OVERRIDE_FIELDS.join(', ')})`, param: unknown[0].slice(0, 64) } };
  }
  const override: { -readonly [K in keyof ModelOverride]?: ModelOverride[K] } = { name, providers: [] };
  for (const field of ['inputUsdPerMTok', 'outputUsdPerMTok', 'contextWindow', 'maxOutputTokens'] as const) {
    const value = body[field];
    if (value === undefined || value === null) continue;
    if (typeof value !== 'number') return { error: { message: `"${field}" must be a number`, param: field } };
    override[field] = value;
  }
  const providers = body.providers;
  if (providers !== undefined && providers !== null) {
    if (!Array.isArray(providers) || providers.some((id) => typeof id !== 'string')) return { error: { message: '"providers" must be a list of provider ids', param: 'providers' } };
    override.providers = providers as string[];
  }
  return { override: override as Omit<ModelOverride, 'updatedAt'> };
}

/** The catalog with the snapshot's overrides, one row per model, in catalog order, added models last. */
export function effectiveModels(snapshot: Pick<ConfigSnapshot, 'providers' | 'modelOverrides'>): ModelView[] {
  const catalog = ProviderModelCatalog.fromSnapshot(snapshot);
  const overrideByModel = new Map<string, ModelOverride>();
  for (const override of snapshot.modelOverrides) overrideByModel.set(canonicalNameOf(override.name), override);
  const entriesByModel = new Map<string, CatalogModel[]>();
  for (const model of catalog.index.models) {
    const entries = entriesByModel.get(model.canonicalName);
    if (entries) entries.push(model);
    else entriesByModel.set(model.canonicalName, [model]);
  }
  return [...entriesByModel].map(([name, entries]): ModelView => {
    const builtIn = DEFAULT_MODEL_INDEX.entriesOfModel(name);
    const override = overrideByModel.get(name);
    const { name: _name, ...overrideFields } = override ?? { name };
    return {
      name,
      source: override ? 'override' : 'catalog',
      ...limitsOf(entries),
      kinds: [...new Set(entries.map((entry) => entry.kind))],
      providers: snapshot.providers.filter((provider) => catalog.servesModel(provider, name) !== undefined).map((provider) => provider.id),
      builtIn: builtIn.length > 0 ? limitsOf(builtIn) : null,
      override: override ? (overrideFields as Omit<ModelOverride, 'name'>) : null,
    };
  });
}

function limitsOf(entries: readonly CatalogModel[]): { inputUsdPerMTok: number; outputUsdPerMTok: number; contextWindow: number; maxOutputTokens: number } {
  return {
    inputUsdPerMTok: Math.max(...entries.map((entry) => entry.price.inputUsdPerMTok)),
    outputUsdPerMTok: Math.max(...entries.map((entry) => entry.price.outputUsdPerMTok)),
    contextWindow: Math.max(...entries.map((entry) => entry.contextWindow)),
    maxOutputTokens: Math.max(...entries.map((entry) => entry.maxOutputTokens)),
  };
}
