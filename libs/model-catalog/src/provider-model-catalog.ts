import type { CatalogModel } from './catalog-model.types';
import { DEFAULT_MODEL_INDEX } from './model-lookup';
import { ModelIndex } from './model-index';
import { ADDED_MODEL_KIND, effectiveCatalog, modelsAddedToProviders, type ModelOverride } from './model-override';

/** The parts of a configured provider (gateway.v1 `Provider`) that decide what it serves. */
export interface CatalogProvider {
  readonly id: string;
  readonly kind: string;
  readonly enabled: boolean;
  /** Served verbatim, beyond what the catalog knows the kind serves. */
  readonly models: readonly string[];
  /** Decides, for kind `openai`, whether this is OpenAI itself (see servesCatalogOfKind). */
  readonly baseUrl?: string;
  /** Model name → the provider's deployment of it (Azure OpenAI): served, and sent upstream as the deployment. */
  readonly settings?: { readonly deployments?: Readonly<Record<string, string>> };
}

/** Kinds that serve another kind's catalog under the same model ids: Vertex AI serves Gemini's models. */
const CATALOG_KIND: Readonly<Record<string, string>> = { vertex: 'gemini' };

/** The kind whose catalog entries a provider kind serves. */
export function catalogKindOf(kind: string): string {
  return CATALOG_KIND[kind] ?? kind;
}

/** Catalog kind of models that only OpenAI-compatible servers declaring them serve (Mistral, Llama). */
export const OPENAI_COMPATIBLE_CATALOG_KIND = 'openai-compatible';

/** The host of OpenAI's own API: a provider of kind `openai` there serves the whole catalog. */
export const OPENAI_API_HOST = 'api.openai.com';

/** The id of the built-in OpenAI provider (seeded from OPENAI_BASE_URL, which may name a proxy of OpenAI). */
export const BUILT_IN_OPENAI_PROVIDER_ID = 'openai';

/**
 * Whether a provider serves every catalog model of its kind. Kind `openai` is also every
 * OpenAI-compatible server (vLLM, Ollama, Groq, ...), which serves only the models it
 * declares: only the built-in `openai` provider and providers whose base URL is on
 * api.openai.com (a second OpenAI account) serve OpenAI's catalog.
 */
export function servesCatalogOfKind(provider: Pick<CatalogProvider, 'kind'> & { readonly id?: string; readonly baseUrl?: string }): boolean {
  if (provider.kind !== 'openai') return true;
  if (provider.id === BUILT_IN_OPENAI_PROVIDER_ID) return true;
  try {
    return new URL(provider.baseUrl ?? '').hostname.toLowerCase() === OPENAI_API_HOST;
  } catch {
    return false;
  }
}

/** The parts servesModel reads. */
export type ServingProvider = Pick<CatalogProvider, 'kind' | 'models' | 'settings'> & { readonly id?: string; readonly baseUrl?: string };

export interface ServedModel {
  readonly providerModelId: string;
  /** Undefined for a model the catalog does not know (a vLLM or Ollama model). */
  readonly maxOutputTokens: number | undefined;
  readonly catalogEntry?: CatalogModel;
}

export interface ServableModel {
  /** A name the gateway accepts in `model`. */
  readonly id: string;
  /** The providers serving it, in priority order. */
  readonly providerIds: readonly string[];
}

export interface ListServableModelsOptions {
  readonly providersWithKeys: ReadonlySet<string>;
  /** Also list `provider/model` for each provider serving a model. */
  readonly includeProviderPinned?: boolean;
}

/** The catalog as seen through the configured providers (a config snapshot). */
export class ProviderModelCatalog {
  /** Provider id → model names the operator's overrides add to what it serves. */
  private readonly addedByProvider: ReadonlyMap<string, readonly string[]>;

  constructor(
    readonly providers: readonly CatalogProvider[],
    readonly index: ModelIndex = DEFAULT_MODEL_INDEX,
    overrides: readonly ModelOverride[] = [],
  ) {
    this.addedByProvider = modelsAddedToProviders(overrides);
  }

  /** The snapshot's providers over the catalog with the snapshot's model overrides applied. */
  static fromSnapshot(snapshot: { readonly providers: readonly CatalogProvider[]; readonly modelOverrides?: readonly ModelOverride[] }): ProviderModelCatalog {
    const overrides = snapshot.modelOverrides ?? [];
    const index = overrides.length === 0 ? DEFAULT_MODEL_INDEX : new ModelIndex(effectiveCatalog(overrides));
    return new ProviderModelCatalog(snapshot.providers, index, overrides);
  }

  findModel(name: string, kind?: string): CatalogModel | undefined {
    return this.index.find(name, kind);
  }

  /**
   * The entry that prices what a provider of `kind` served as `providerModelId`: its kind's; for
   * kind `openai` (an OpenAI-compatible server) else the `openai-compatible` entry (a Mistral or
   * Llama model); else an operator-added model's.
   */
  pricedEntry(providerModelId: string, kind: string): CatalogModel | undefined {
    return (
      this.index.find(providerModelId, catalogKindOf(kind)) ??
      (kind === 'openai' ? this.index.find(providerModelId, OPENAI_COMPATIBLE_CATALOG_KIND) : undefined) ??
      this.index.find(providerModelId, ADDED_MODEL_KIND)
    );
  }

  /**
   * What a provider serves for a name pinned to it (`provider/model`): what servesModel says,
   * else the name itself, passed through — a model the catalog does not know yet (a new release,
   * a fine-tune, whatever a vLLM server loaded) needs no gateway release when the client names
   * the provider. Unpinned, an unknown name stays unknown.
   */
  servesPinnedModel(provider: ServingProvider, requestedName: string): ServedModel | undefined {
    return this.servesModel(provider, requestedName) ?? (requestedName === '' ? undefined : { providerModelId: requestedName, maxOutputTokens: undefined });
  }

  /** Whether the provider serves the name, ignoring whether it is enabled or holds a key. */
  servesModel(provider: ServingProvider, requestedName: string): ServedModel | undefined {
    const catalogEntry = this.entryFor(provider, requestedName);
    const deployment = this.deploymentOf(provider, requestedName, catalogEntry);
    if (deployment !== undefined) return { providerModelId: deployment, maxOutputTokens: catalogEntry?.maxOutputTokens, ...(catalogEntry ? { catalogEntry } : {}) };
    if (catalogEntry && !servesCatalogOfKind(provider)) {
      // An OpenAI-compatible server: a catalog model only when it declares it (by any of its names).
      const declared = this.declaredModels(provider).find(
        (name) => name === requestedName || this.entryFor(provider, name)?.canonicalName === catalogEntry.canonicalName,
      );
      if (declared === undefined) return undefined;
      return { providerModelId: declared, maxOutputTokens: catalogEntry.maxOutputTokens, catalogEntry };
    }
    if (catalogEntry) {
      return {
        providerModelId: catalogEntry.providerModelId,
        maxOutputTokens: catalogEntry.maxOutputTokens,
        catalogEntry,
      };
    }
    if (this.declaredModels(provider).includes(requestedName)) {
      const added = this.index.find(requestedName, ADDED_MODEL_KIND);
      if (!added) return { providerModelId: requestedName, maxOutputTokens: undefined };
      return { providerModelId: requestedName, maxOutputTokens: added.maxOutputTokens > 0 ? added.maxOutputTokens : undefined, catalogEntry: added };
    }
    return undefined;
  }

  /** The provider's `models` and the names model overrides say it serves. */
  private declaredModels(provider: Pick<CatalogProvider, 'models'> & { readonly id?: string }): readonly string[] {
    const added = provider.id === undefined ? undefined : this.addedByProvider.get(provider.id);
    return added ? [...provider.models, ...added] : provider.models;
  }

  /** Whether any provider kind in the catalog or any provider's models list knows the name. */
  isKnownModel(name: string): boolean {
    return this.index.knows(name) || this.providers.some((provider) => this.declaredModels(provider).includes(name) || Object.hasOwn(deploymentsOf(provider), name));
  }

  /** The names GET /v1/models lists: canonical names served by enabled providers holding a key. */
  listServableModels(options: ListServableModelsOptions): ServableModel[] {
    const providerIdsByModel = new Map<string, string[]>();
    const add = (modelId: string, providerId: string): void => {
      const providerIds = providerIdsByModel.get(modelId);
      if (!providerIds) providerIdsByModel.set(modelId, [providerId]);
      else if (!providerIds.includes(providerId)) providerIds.push(providerId);
    };
    for (const provider of this.providers) {
      if (!provider.enabled || !options.providersWithKeys.has(provider.id)) continue;
      for (const name of this.namesServedBy(provider)) {
        add(name, provider.id);
        if (options.includeProviderPinned) add(`${provider.id}/${name}`, provider.id);
      }
    }
    return [...providerIdsByModel].map(([id, providerIds]) => ({ id, providerIds }));
  }

  private namesServedBy(provider: CatalogProvider): string[] {
    const catalogNames = servesCatalogOfKind(provider) ? this.index.ofKind(catalogKindOf(provider.kind)).map((model) => model.canonicalName) : [];
    // A declared name of an OpenAI-compatible server is listed as declared: it is what the server calls it.
    const extraNames = [...this.declaredModels(provider), ...Object.keys(deploymentsOf(provider))].map(
      (name) => this.index.find(name, catalogKindOf(provider.kind))?.canonicalName ?? name,
    );
    return [...new Set([...catalogNames, ...extraNames])];
  }

  /**
   * The catalog entry of a name as this provider serves it: its kind's entry; for an
   * OpenAI-compatible server (kind `openai`, not OpenAI itself) else the `openai-compatible`
   * entry, which gives a declared Mistral or Llama model its price and limits.
   */
  private entryFor(provider: ServingProvider, name: string): CatalogModel | undefined {
    const own = this.index.find(name, catalogKindOf(provider.kind));
    if (own || provider.kind !== 'openai' || servesCatalogOfKind(provider)) return own;
    return this.index.find(name, OPENAI_COMPATIBLE_CATALOG_KIND);
  }

  /** The deployment serving the name, by the name itself or any name of the same catalog model. */
  private deploymentOf(provider: ServingProvider, requestedName: string, catalogEntry: CatalogModel | undefined): string | undefined {
    const deployments = deploymentsOf(provider);
    if (Object.hasOwn(deployments, requestedName)) return deployments[requestedName];
    if (!catalogEntry) return undefined;
    const name = Object.keys(deployments).find((model) => this.index.find(model, catalogKindOf(provider.kind))?.canonicalName === catalogEntry.canonicalName);
    return name === undefined ? undefined : deployments[name];
  }
}

function deploymentsOf(provider: Pick<CatalogProvider, 'settings'>): Readonly<Record<string, string>> {
  return provider.settings?.deployments ?? {};
}
