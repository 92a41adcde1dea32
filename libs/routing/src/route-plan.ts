import type { ProviderModelCatalog } from '@ai-gateway/model-catalog';
import type { Provider, ProviderSettings } from '@ai-gateway/proto';
import { type FallbackMap, fallbacksOf } from './fallback-map';
import { parsePinnedModel } from './pinned-model';

export type RoutePlanProvider = Pick<Provider, 'id' | 'kind' | 'baseUrl' | 'enabled' | 'models' | 'settings'>;

export type RouteCatalog = Pick<ProviderModelCatalog, 'servesModel' | 'servesPinnedModel' | 'isKnownModel' | 'findModel'>;

export interface RoutePlanInput {
  readonly requestedModel: string;
  /** In priority order; the order is kept as given. */
  readonly providers: readonly RoutePlanProvider[];
  readonly providersWithKeys: ReadonlySet<string>;
  readonly fallbacks: FallbackMap;
  readonly catalog: RouteCatalog;
}

export interface RouteCandidate {
  readonly providerId: string;
  readonly kind: string;
  readonly baseUrl: string;
  /** The provider's kind fields, passed to its adapter as they are. */
  readonly settings?: ProviderSettings;
  /** The provider's model id, sent upstream. */
  readonly model: string;
  /** The model name this candidate serves: the requested one (unpinned) or a fallback. */
  readonly requestedModel: string;
  /** Undefined for a model the catalog does not know. */
  readonly maxOutputTokens: number | undefined;
  readonly viaFallback: boolean;
}

export type RouteFailureReason = 'unknown_model' | 'no_provider';

/** A provider that serves a model of the plan but cannot take it now. */
export interface UnavailableProvider {
  readonly providerId: string;
  readonly requestedModel: string;
  readonly cause: 'disabled' | 'no_key';
}

export interface RoutePlan {
  readonly candidates: RouteCandidate[];
  readonly pinnedProvider?: string;
  /** Set when there is no candidate: 'unknown_model' → 404, 'no_provider' → 503. */
  readonly reason?: RouteFailureReason;
  /** For the 'no_provider' message: who would serve the model. */
  readonly unavailableProviders: UnavailableProvider[];
}

export function buildRoutePlan(input: RoutePlanInput): RoutePlan {
  const pin = parsePinnedModel(input.requestedModel, input.providers);
  if (pin) {
    const pinned = input.providers.find((provider) => provider.id === pin.providerId);
    const pinnedServes = pinned !== undefined && input.catalog.servesModel(pinned, pin.model) !== undefined;
    // A model whose own name starts with a provider id (`openai/gpt-oss-20b` on vLLM).
    if (pinned && (pinnedServes || !isKnownModel(input, input.requestedModel))) {
      return pinnedPlan(input, pinned, pin.model);
    }
  }
  return unpinnedPlan(input);
}

/**
 * A pinned provider is sent even a model the catalog does not know at all (a new model, a
 * fine-tune): it answers for it. A model the catalog knows for other kinds only (`anthropic/gpt-4o`)
 * stays unknown to that provider.
 */
function pinnedPlan(input: RoutePlanInput, provider: RoutePlanProvider, model: string): RoutePlan {
  if (!servedPinned(input, provider, model)) {
    return { candidates: [], pinnedProvider: provider.id, reason: 'unknown_model', unavailableProviders: [] };
  }
  const collector = new CandidateCollector(input);
  collector.addFromProviders([provider], model, false, true);
  return collector.plan(provider.id);
}

function unpinnedPlan(input: RoutePlanInput): RoutePlan {
  if (!isKnownModel(input, input.requestedModel)) {
    return { candidates: [], reason: 'unknown_model', unavailableProviders: [] };
  }
  const collector = new CandidateCollector(input);
  collector.addFromProviders(input.providers, input.requestedModel, false);

  const visited = new Set([input.requestedModel]);
  const queue = [...fallbackModelsOf(input, input.requestedModel)];
  for (let model = queue.shift(); model !== undefined; model = queue.shift()) {
    if (visited.has(model)) continue;
    visited.add(model);
    collector.addFallback(model);
    queue.push(...fallbackModelsOf(input, model));
  }
  return collector.plan();
}

function servedPinned(input: RoutePlanInput, provider: RoutePlanProvider, model: string): ReturnType<RouteCatalog['servesModel']> {
  return input.catalog.isKnownModel(model) ? input.catalog.servesModel(provider, model) : input.catalog.servesPinnedModel(provider, model);
}

function isKnownModel(input: RoutePlanInput, name: string): boolean {
  return (
    input.catalog.isKnownModel(name) ||
    input.providers.some((provider) => input.catalog.servesModel(provider, name) !== undefined)
  );
}

/** By the exact name first, else by its canonical name (`claude-3-5-sonnet-latest`). */
function fallbackModelsOf(input: RoutePlanInput, model: string): readonly string[] {
  const exact = fallbacksOf(input.fallbacks, model);
  if (exact.length > 0) return exact;
  const canonicalName = input.catalog.findModel(model)?.canonicalName;
  return canonicalName === undefined ? [] : fallbacksOf(input.fallbacks, canonicalName);
}

class CandidateCollector {
  private readonly candidates: RouteCandidate[] = [];
  private readonly unavailable: UnavailableProvider[] = [];
  private readonly seen = new Set<string>();

  constructor(private readonly input: RoutePlanInput) {}

  /** A fallback entry may itself pin a provider (`backup/gpt-4o`). */
  addFallback(model: string): void {
    const pin = parsePinnedModel(model, this.input.providers);
    const pinned = pin && this.input.providers.find((provider) => provider.id === pin.providerId);
    if (pin && pinned && this.input.catalog.servesModel(pinned, pin.model)) {
      this.addFromProviders([pinned], pin.model, true);
    } else {
      this.addFromProviders(this.input.providers, model, true);
    }
  }

  addFromProviders(providers: readonly RoutePlanProvider[], model: string, viaFallback: boolean, pinned = false): void {
    for (const provider of providers) {
      const served = pinned ? servedPinned(this.input, provider, model) : this.input.catalog.servesModel(provider, model);
      if (!served) continue;
      const cause = unavailability(provider, this.input.providersWithKeys);
      if (cause) {
        this.noteUnavailable({ providerId: provider.id, requestedModel: model, cause });
        continue;
      }
      const key = `${provider.id}\u0000${served.providerModelId}`;
      if (this.seen.has(key)) continue;
      this.seen.add(key);
      this.candidates.push({
        providerId: provider.id,
        kind: provider.kind,
        baseUrl: provider.baseUrl,
        settings: provider.settings,
        model: served.providerModelId,
        requestedModel: model,
        maxOutputTokens: served.maxOutputTokens,
        viaFallback,
      });
    }
  }

  plan(pinnedProvider?: string): RoutePlan {
    const pinned = pinnedProvider === undefined ? {} : { pinnedProvider };
    if (this.candidates.length === 0) {
      return { candidates: [], ...pinned, reason: 'no_provider', unavailableProviders: this.unavailable };
    }
    return { candidates: this.candidates, ...pinned, unavailableProviders: this.unavailable };
  }

  private noteUnavailable(entry: UnavailableProvider): void {
    const duplicate = this.unavailable.some(
      (known) => known.providerId === entry.providerId && known.requestedModel === entry.requestedModel,
    );
    if (!duplicate) this.unavailable.push(entry);
  }
}

function unavailability(
  provider: RoutePlanProvider,
  providersWithKeys: ReadonlySet<string>,
): UnavailableProvider['cause'] | undefined {
  if (!provider.enabled) return 'disabled';
  if (!providersWithKeys.has(provider.id)) return 'no_key';
  return undefined;
}
