import type { CatalogKind, CatalogModel, ModelCapabilities, ModelPrice } from './catalog-model.types';
import { MODEL_CATALOG } from './model-catalog.data';
import { ModelIndex } from './model-index';

/** An operator's entry for one model name (gateway.v1 `ModelOverride`). */
export interface ModelOverride {
  readonly name: string;
  /** USD per 1M tokens. */
  readonly inputUsdPerMTok?: number | undefined;
  readonly outputUsdPerMTok?: number | undefined;
  readonly contextWindow?: number | undefined;
  readonly maxOutputTokens?: number | undefined;
  /** Provider ids that serve the name, as if it were in each one's `models`. */
  readonly providers: readonly string[];
}

/** Catalog kind of a model an operator added: served only by the providers its override names. */
export const ADDED_MODEL_KIND: CatalogKind = 'added';

const ADDED_MODEL_CAPABILITIES: ModelCapabilities = { tools: true, vision: true, streaming: true, embeddings: false };

/**
 * The catalog with the operator's overrides applied: an override of a catalog model (by any of
 * its names) replaces the fields it sets on every kind's entry of that model; an override of a
 * name the catalog does not know adds an entry of kind `added`.
 */
export function effectiveCatalog(overrides: readonly ModelOverride[], builtIn: readonly CatalogModel[] = MODEL_CATALOG): CatalogModel[] {
  if (overrides.length === 0) return [...builtIn];
  const builtInIndex = new ModelIndex(builtIn);
  const byCanonicalName = new Map<string, ModelOverride>();
  const added: CatalogModel[] = [];
  for (const override of overrides) {
    const known = builtInIndex.find(override.name);
    if (known) byCanonicalName.set(known.canonicalName, override);
    else if (override.inputUsdPerMTok !== undefined && override.outputUsdPerMTok !== undefined) added.push(addedModel(override));
  }
  const models = builtIn.map((model) => {
    const override = byCanonicalName.get(model.canonicalName);
    return override ? overridden(model, override) : model;
  });
  return [...models, ...added];
}

function overridden(model: CatalogModel, override: ModelOverride): CatalogModel {
  return {
    ...model,
    contextWindow: override.contextWindow ?? model.contextWindow,
    maxOutputTokens: override.maxOutputTokens ?? model.maxOutputTokens,
    price: overriddenPrice(model.price, override),
  };
}

/** A new input price keeps the cached-input discount of the built-in entry (same ratio). */
function overriddenPrice(price: ModelPrice, override: ModelOverride): ModelPrice {
  const inputUsdPerMTok = override.inputUsdPerMTok ?? price.inputUsdPerMTok;
  const outputUsdPerMTok = override.outputUsdPerMTok ?? price.outputUsdPerMTok;
  if (price.cachedInputUsdPerMTok === undefined) return { inputUsdPerMTok, outputUsdPerMTok };
  const ratio = price.inputUsdPerMTok > 0 ? price.cachedInputUsdPerMTok / price.inputUsdPerMTok : 1;
  return { inputUsdPerMTok, outputUsdPerMTok, cachedInputUsdPerMTok: inputUsdPerMTok * ratio };
}

function addedModel(override: ModelOverride): CatalogModel {
  return {
    canonicalName: override.name,
    kind: ADDED_MODEL_KIND,
    providerModelId: override.name,
    aliases: [],
    contextWindow: override.contextWindow ?? 0,
    maxOutputTokens: override.maxOutputTokens ?? 0,
    price: { inputUsdPerMTok: override.inputUsdPerMTok ?? 0, outputUsdPerMTok: override.outputUsdPerMTok ?? 0 },
    capabilities: ADDED_MODEL_CAPABILITIES,
  };
}

/** Provider id → the names overrides say it serves. */
export function modelsAddedToProviders(overrides: readonly ModelOverride[]): Map<string, string[]> {
  const byProvider = new Map<string, string[]>();
  for (const override of overrides) {
    for (const providerId of override.providers) {
      const names = byProvider.get(providerId);
      if (names) names.push(override.name);
      else byProvider.set(providerId, [override.name]);
    }
  }
  return byProvider;
}
