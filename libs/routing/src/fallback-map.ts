/** The fallback map as routing reads it: model → models to try next, in order. */
export type FallbackMap = Readonly<Record<string, readonly string[]>>;

/** From a config snapshot's `fallbacks` (`{[model]: {models}}`). */
export function fallbackMapFromSnapshot(
  fallbacks: Readonly<Record<string, { readonly models: readonly string[] } | undefined>>,
): FallbackMap {
  return Object.fromEntries(
    Object.entries(fallbacks).map(([model, list]) => [model, [...(list?.models ?? [])]]),
  );
}

export function fallbacksOf(fallbacks: FallbackMap, model: string): readonly string[] {
  return Object.hasOwn(fallbacks, model) ? (fallbacks[model] ?? []) : [];
}
