/** Refuses fallback maps with cycles or malformed entries; returns the problem, or undefined. */
export function validateFallbackMap(map: Record<string, string[]>): string | undefined {
  for (const [model, targets] of Object.entries(map)) {
    if (!model) return 'fallback map keys must be model names';
    if (!Array.isArray(targets) || targets.some((t) => typeof t !== 'string' || t.length === 0)) {
      return `fallbacks of "${model}" must be a list of model names`;
    }
    if (targets.includes(model)) return `"${model}" falls back to itself`;
  }
  const visiting = new Set<string>();
  const done = new Set<string>();
  const visit = (model: string, path: string[]): string | undefined => {
    if (visiting.has(model)) return `fallback cycle: ${[...path.slice(path.indexOf(model)), model].join(' -> ')}`;
    if (done.has(model)) return undefined;
    visiting.add(model);
    for (const next of map[model] ?? []) {
      const problem = visit(next, [...path, model]);
      if (problem) return problem;
    }
    visiting.delete(model);
    done.add(model);
    return undefined;
  };
  for (const model of Object.keys(map)) {
    const problem = visit(model, []);
    if (problem) return problem;
  }
  return undefined;
}
