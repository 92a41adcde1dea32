// Priority order of providers as the dashboard edits it: pure list operations, no DOM.

/** Providers sorted by their priority (lowest first), ties by id, without changing the input. */
export function byPriority<T extends { id: string; priority: number }>(providers: readonly T[]): T[] {
  return [...providers].sort((a, b) => a.priority - b.priority || a.id.localeCompare(b.id));
}

/** A copy of `items` with the item at `from` moved to index `to` (clamped to the list). */
export function moveItem<T>(items: readonly T[], from: number, to: number): T[] {
  const copy = [...items];
  if (from < 0 || from >= copy.length) return copy;
  const target = Math.max(0, Math.min(copy.length - 1, to));
  const [item] = copy.splice(from, 1);
  copy.splice(target, 0, item);
  return copy;
}

/** Moves the id `delta` places (-1: up, +1: down); unknown ids and moves past an end change nothing. */
export function moveId(order: readonly string[], id: string, delta: number): string[] {
  const from = order.indexOf(id);
  if (from === -1) return [...order];
  return moveItem(order, from, from + delta);
}

/** Moves the dragged id to the place of the id it was dropped on. */
export function dropOn(order: readonly string[], dragged: string, target: string): string[] {
  const from = order.indexOf(dragged);
  const to = order.indexOf(target);
  if (from === -1 || to === -1) return [...order];
  return moveItem(order, from, to);
}

/** Whether two orders are the same list. */
export function sameOrder(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((id, i) => id === b[i]);
}

/** The body of `PUT /admin/v1/routing/priority`: every id once, in the given order. */
export function priorityBody(order: readonly string[]): { order: string[] } {
  return { order: [...new Set(order)] };
}
