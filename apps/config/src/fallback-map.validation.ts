/** Models with fallbacks, at most: the whole map travels in every config snapshot (as MAX_POLICY_MODELS). */
export const MAX_FALLBACK_MODELS = 1_000;
/** Fallbacks of one model, at most: the router may try each in turn within one request's deadline. */
export const MAX_FALLBACK_TARGETS = 32;
/** Longest model name a fallback map names (as a provider's models). */
export const MAX_FALLBACK_NAME_LENGTH = 200;
/**
 * The stored map at most, as JSON: it is one entry of the config KV bucket and travels in every
 * config snapshot, well under NATS's default 1 MiB message (as MAX_POLICIES_JSON_BYTES).
 */
export const MAX_FALLBACKS_JSON_BYTES = 256 * 1024;

/**
 * Refuses fallback maps over their bounds, with malformed entries or with cycles; returns the
 * problem, or undefined. The bounds are checked first, so the cycle search (linear in the map's
 * size, without recursion) only ever runs on a bounded map.
 */
export function validateFallbackMap(map: Record<string, string[]>): string | undefined {
  if (typeof map !== 'object' || map === null || Array.isArray(map)) return '"fallbacks" must map model names to lists of model names';
  const entries = Object.entries(map);
  if (entries.length > MAX_FALLBACK_MODELS) return `at most ${MAX_FALLBACK_MODELS} models may have fallbacks, got ${entries.length}`;
  for (const [model, targets] of entries) {
    if (!model || model.length > MAX_FALLBACK_NAME_LENGTH) return `fallback map keys must be model names (1-${MAX_FALLBACK_NAME_LENGTH} characters)`;
    if (!Array.isArray(targets)) return `fallbacks of "${model}" must be a list of model names`;
    if (targets.length > MAX_FALLBACK_TARGETS) return `"${model}" may have at most ${MAX_FALLBACK_TARGETS} fallbacks, got ${targets.length}`;
    if (targets.some((t) => typeof t !== 'string' || t.length === 0 || t.length > MAX_FALLBACK_NAME_LENGTH)) {
      return `fallbacks of "${model}" must be a list of model names (1-${MAX_FALLBACK_NAME_LENGTH} characters)`;
    }
    if (targets.includes(model)) return `"${model}" falls back to itself`;
  }
  const bytes = Buffer.byteLength(JSON.stringify(map));
  if (bytes > MAX_FALLBACKS_JSON_BYTES) return `the fallback map takes ${bytes} bytes as JSON; at most ${MAX_FALLBACKS_JSON_BYTES}`;
  return fallbackCycle(map);
}

/**
 * The first cycle, as `a -> b -> a`, or undefined: a depth-first search with its own stack, so a
 * long chain neither overflows the call stack nor copies its path at each step.
 */
function fallbackCycle(map: Record<string, string[]>): string | undefined {
  const onPath = new Set<string>();
  const done = new Set<string>();
  const path: string[] = [];
  /** For each model on the path, the index of its next fallback to visit. */
  const next: number[] = [];
  const targetsOf = (model: string): string[] => (Object.hasOwn(map, model) ? map[model] : []);
  for (const start of Object.keys(map)) {
    if (done.has(start)) continue;
    path.push(start);
    next.push(0);
    onPath.add(start);
    while (path.length > 0) {
      const top = path.length - 1;
      const model = path[top];
      const targets = targetsOf(model);
      if (next[top] === targets.length) {
        path.pop();
        next.pop();
        onPath.delete(model);
        done.add(model);
        continue;
      }
      const target = targets[next[top]++];
      if (onPath.has(target)) return `fallback cycle: ${[...path.slice(path.indexOf(target)), target].join(' -> ')}`;
      if (done.has(target)) continue;
      path.push(target);
      next.push(0);
      onPath.add(target);
    }
  }
  return undefined;
}
