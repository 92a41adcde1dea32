import type { CatalogModel } from './catalog-model.types';

/**
 * How long a streamed attempt may wait for its first content token before the next
 * candidate is tried. Standard chat models start within seconds; the slowest honest case is
 * the prefill of a full 128k–200k-token prompt, measured at 10–25 s, so 30 s leaves a margin
 * without holding a client behind a stuck provider for minutes.
 */
export const DEFAULT_FIRST_TOKEN_TIMEOUT_MS = 30_000;

/**
 * Reasoning models (o1, o3, o4-mini, DeepSeek-R1, ...) think before their first token:
 * at high effort that is regularly one to three minutes, and OpenAI streams no reasoning
 * text in Chat Completions. 300 s keeps hard prompts working.
 */
export const REASONING_FIRST_TOKEN_TIMEOUT_MS = 300_000;

/** Names of reasoning models the catalog may not list yet (o3, o4-mini, o1-pro, deepseek-reasoner, qwq). */
const REASONING_NAME = /^(?:[a-z0-9.-]+\/)?(?:o\d(?:-[a-z0-9-]+)?|deepseek-reasoner|deepseek-r1.*|qwq.*|.*-thinking.*|.*-reasoning.*)$/i;

export function isReasoningModel(name: string, entry?: Pick<CatalogModel, 'reasoning'>): boolean {
  return entry?.reasoning === true || REASONING_NAME.test(name);
}

export interface FirstTokenLimits {
  /** For standard models. */
  readonly defaultMs: number;
  /** For reasoning models. */
  readonly reasoningMs: number;
  /** Per model name (canonical, alias or provider id), set by the operator; wins over both. */
  readonly byModel?: Readonly<Record<string, number>>;
}

export const DEFAULT_FIRST_TOKEN_LIMITS: FirstTokenLimits = {
  defaultMs: DEFAULT_FIRST_TOKEN_TIMEOUT_MS,
  reasoningMs: REASONING_FIRST_TOKEN_TIMEOUT_MS,
};

/** The first-token limit of one model, as a provider serves it. */
export function firstTokenTimeoutMs(
  names: readonly string[],
  entry: Pick<CatalogModel, 'reasoning' | 'canonicalName'> | undefined,
  limits: FirstTokenLimits = DEFAULT_FIRST_TOKEN_LIMITS,
): number {
  const candidates = entry ? [...names, entry.canonicalName] : names;
  for (const name of candidates) {
    const override = limits.byModel && Object.hasOwn(limits.byModel, name) ? limits.byModel[name] : undefined;
    if (override !== undefined) return override;
  }
  return candidates.some((name) => isReasoningModel(name, entry)) ? limits.reasoningMs : limits.defaultMs;
}
