export type FallbackValidation =
  | { readonly ok: true }
  /** `cycle` starts and ends with the same model: `['a', 'b', 'a']`, or `['a', 'a']`. */
  | { readonly ok: false; readonly problem: 'cycle' | 'self_reference'; readonly cycle: string[] }
  | { readonly ok: false; readonly problem: 'invalid_entry'; readonly model: string; readonly message: string };

/** Checks a fallback map as received (untrusted JSON): `{[model]: string[]}` without cycles. */
export function validateFallbacks(map: unknown): FallbackValidation {
  if (typeof map !== 'object' || map === null || Array.isArray(map)) {
    return { ok: false, problem: 'invalid_entry', model: '', message: 'fallbacks must be an object of model → models' };
  }
  const graph = new Map<string, string[]>();
  for (const [model, next] of Object.entries(map)) {
    if (model.trim() === '') {
      return { ok: false, problem: 'invalid_entry', model, message: 'a model name must not be empty' };
    }
    if (!isModelList(next)) {
      return { ok: false, problem: 'invalid_entry', model, message: `fallbacks of ${model} must be a list of model names` };
    }
    if (next.includes(model)) return { ok: false, problem: 'self_reference', cycle: [model, model] };
    graph.set(model, next);
  }
  const cycle = findCycle(graph);
  return cycle ? { ok: false, problem: 'cycle', cycle } : { ok: true };
}

function isModelList(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((entry) => typeof entry === 'string' && entry.trim() !== '');
}

/** Depth-first search; a model met again while still on the path closes a cycle. */
function findCycle(graph: ReadonlyMap<string, readonly string[]>): string[] | undefined {
  const finished = new Set<string>();
  const path: string[] = [];

  const visit = (model: string): string[] | undefined => {
    const onPath = path.indexOf(model);
    if (onPath >= 0) return [...path.slice(onPath), model];
    if (finished.has(model)) return undefined;
    path.push(model);
    for (const next of graph.get(model) ?? []) {
      const cycle = visit(next);
      if (cycle) return cycle;
    }
    path.pop();
    finished.add(model);
    return undefined;
  };

  for (const model of graph.keys()) {
    const cycle = visit(model);
    if (cycle) return cycle;
  }
  return undefined;
}
