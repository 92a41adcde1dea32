/** Whether an allow-list lets a model through: empty allows all; a listed model, or one pinned (`provider/model`) to a listed model. */
export function isModelAllowed(allowedModels: readonly string[], model: string): boolean {
  if (allowedModels.length === 0 || allowedModels.includes(model)) return true;
  const slash = model.indexOf('/');
  return slash > 0 && allowedModels.includes(model.slice(slash + 1));
}
