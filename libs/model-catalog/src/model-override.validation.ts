import { DEFAULT_MODEL_INDEX } from './model-lookup';
import type { ModelIndex } from './model-index';
import type { ModelOverride } from './model-override';

/** Bounds of an operator's model override; each is checked where the override enters (ingress) and where it is stored (config). */
export const MODEL_OVERRIDE_LIMITS = {
  /** Longer than any provider's model id (Bedrock ARNs stay under 200). */
  maxNameLength: 200,
  /** Overrides kept at once: each is in every config snapshot every router and ingress holds. */
  maxOverrides: 500,
  /** USD per 1M tokens: 15x the dearest catalog price (o1-pro output, 600), so a typo in units is refused. */
  maxUsdPerMTok: 10_000,
  /** Tokens, for the context window and the output limit: 100x the largest context window known (1M-10M). */
  maxTokens: 1_000_000_000,
  /** Providers one override may name. */
  maxProviders: 32,
} as const;

/** A model name as providers spell them: `gpt-4o`, `meta-llama/Llama-3.1-8B-Instruct`, `llama3.1:8b`, `model@2025-01-01`. */
const MODEL_NAME = /^[A-Za-z0-9][A-Za-z0-9._:@+/-]*$/;

export interface OverrideProblem {
  message: string;
  param: string;
}

export interface OverrideContext {
  /** Ids of the configured providers. */
  readonly providerIds: ReadonlySet<string>;
  /** The built-in catalog, to tell a price change from an added model. */
  readonly index?: ModelIndex;
}

/** Why an override cannot be stored, or undefined. */
export function modelOverrideProblem(override: ModelOverride, context: OverrideContext): OverrideProblem | undefined {
  const { name } = override;
  const limits = MODEL_OVERRIDE_LIMITS;
  if (typeof name !== 'string' || name.length === 0 || name.length > limits.maxNameLength || !MODEL_NAME.test(name)) {
    return { message: `the model name must be 1-${limits.maxNameLength} characters: letters, digits and . _ : @ + / - (not first)`, param: 'name' };
  }
  const slash = name.indexOf('/');
  if (slash > 0 && context.providerIds.has(name.slice(0, slash))) {
    return { message: `"${name}" reads as the model "${name.slice(slash + 1)}" pinned to the provider "${name.slice(0, slash)}"; choose another name`, param: 'name' };
  }
  for (const field of ['inputUsdPerMTok', 'outputUsdPerMTok'] as const) {
    const value = override[field];
    if (value !== undefined && !(typeof value === 'number' && Number.isFinite(value) && value >= 0 && value <= limits.maxUsdPerMTok)) {
      return { message: `"${field}" must be a number of USD per 1M tokens from 0 to ${limits.maxUsdPerMTok}`, param: field };
    }
  }
  for (const [field, min] of [['contextWindow', 1], ['maxOutputTokens', 0]] as const) {
    const value = override[field];
    if (value !== undefined && !(Number.isInteger(value) && value >= min && value <= limits.maxTokens)) {
      return { message: `"${field}" must be a whole number of tokens from ${min} to ${limits.maxTokens}`, param: field };
    }
  }
  const providers = override.providers;
  if (!Array.isArray(providers) || providers.length > limits.maxProviders || providers.some((id) => typeof id !== 'string')) {
    return { message: `"providers" must be a list of at most ${limits.maxProviders} provider ids`, param: 'providers' };
  }
  if (new Set(providers).size !== providers.length) return { message: '"providers" lists a provider twice', param: 'providers' };
  const unknown = providers.filter((id) => !context.providerIds.has(id));
  if (unknown.length > 0) return { message: `unknown provider(s): ${unknown.slice(0, 5).map((id) => `"${id.slice(0, 64)}"`).join(', ')}`, param: 'providers' };
  const known = (context.index ?? DEFAULT_MODEL_INDEX).knows(name);
  if (known) {
    const sets = [override.inputUsdPerMTok, override.outputUsdPerMTok, override.contextWindow, override.maxOutputTokens].some((v) => v !== undefined) || providers.length > 0;
    if (!sets) return { message: `the override of "${name}" sets nothing: give a price, a limit or providers`, param: 'name' };
    return undefined;
  }
  if (override.inputUsdPerMTok === undefined || override.outputUsdPerMTok === undefined) {
    return { message: `"${name}" is not in the catalog: a new model needs "inputUsdPerMTok" and "outputUsdPerMTok"`, param: override.inputUsdPerMTok === undefined ? 'inputUsdPerMTok' : 'outputUsdPerMTok' };
  }
  if (providers.length === 0) return { message: `"${name}" is not in the catalog: a new model needs "providers", the provider ids that serve it`, param: 'providers' };
  return undefined;
}
