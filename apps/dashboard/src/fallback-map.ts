// The fallback map (`{"gpt-4o": ["claude-3-5-sonnet"], ...}`) edited as rows of two text fields:
// a model, and its fallback models separated by commas. Pure: parse, format, validate.
import type { FallbackMap } from './admin-api.js';

export interface FallbackRow {
  model: string;
  /** Fallback models, comma separated, in the order they are tried. */
  fallbacks: string;
}

export interface RowError {
  /** Index of the row in the edited list. */
  row: number;
  field: 'model' | 'fallbacks';
  message: string;
}

export type ParsedRows = { ok: true; map: FallbackMap } | { ok: false; errors: RowError[] };

/** "a, b ,,c" → ["a","b","c"]: trimmed, empty parts dropped, duplicates kept once. */
export function parseModelList(text: string): string[] {
  return [...new Set(text.split(',').map((part) => part.trim()).filter(Boolean))];
}

export function formatModelList(models: readonly string[]): string {
  return models.join(', ');
}

/** The rows shown for a map, sorted by model. */
export function toRows(map: FallbackMap): FallbackRow[] {
  return Object.keys(map)
    .sort((a, b) => a.localeCompare(b))
    .map((model) => ({ model, fallbacks: formatModelList(map[model] ?? []) }));
}

/**
 * The map the rows describe, or every problem found: a model without fallbacks, fallbacks
 * without a model, a model listed twice, a model falling back to itself, a cycle. Rows left
 * entirely blank are ignored.
 */
export function parseRows(rows: readonly FallbackRow[]): ParsedRows {
  const errors: RowError[] = [];
  const map: FallbackMap = {};
  const rowOf = new Map<string, number>();
  rows.forEach((row, index) => {
    const model = row.model.trim();
    const fallbacks = parseModelList(row.fallbacks);
    if (!model && fallbacks.length === 0) return;
    if (!model) {
      errors.push({ row: index, field: 'model', message: 'Name the model these fallbacks are for.' });
      return;
    }
    if (/\s/.test(model)) errors.push({ row: index, field: 'model', message: `"${model}" contains a space; model names have none.` });
    if (rowOf.has(model)) {
      errors.push({ row: index, field: 'model', message: `"${model}" is already listed in row ${(rowOf.get(model) ?? 0) + 1}.` });
      return;
    }
    rowOf.set(model, index);
    if (fallbacks.length === 0) {
      errors.push({ row: index, field: 'fallbacks', message: `List at least one fallback model for "${model}", or remove the row.` });
      return;
    }
    const spaced = fallbacks.find((m) => /\s/.test(m));
    if (spaced) errors.push({ row: index, field: 'fallbacks', message: `"${spaced}" contains a space; separate models with commas.` });
    if (fallbacks.includes(model)) errors.push({ row: index, field: 'fallbacks', message: `"${model}" cannot fall back to itself.` });
    map[model] = fallbacks;
  });
  if (errors.length === 0) {
    const cycle = findCycle(map);
    if (cycle) errors.push({ row: rowOf.get(cycle[0]) ?? 0, field: 'fallbacks', message: `Fallbacks form a cycle: ${cycle.join(' → ')}.` });
  }
  return errors.length ? { ok: false, errors } : { ok: true, map };
}

/** A cycle of the map as the path that closes it (first model repeated at the end), if any. */
export function findCycle(map: FallbackMap): string[] | undefined {
  const done = new Set<string>();
  const path: string[] = [];
  const onPath = new Set<string>();
  const visit = (model: string): string[] | undefined => {
    if (onPath.has(model)) return [...path.slice(path.indexOf(model)), model];
    if (done.has(model)) return undefined;
    onPath.add(model);
    path.push(model);
    for (const next of map[model] ?? []) {
      const cycle = visit(next);
      if (cycle) return cycle;
    }
    path.pop();
    onPath.delete(model);
    done.add(model);
    return undefined;
  };
  for (const model of Object.keys(map).sort()) {
    const cycle = visit(model);
    if (cycle) return cycle;
  }
  return undefined;
}
