export interface PinnedModel {
  readonly providerId: string;
  readonly model: string;
}

/**
 * `provider/model` pins a provider when the part before the first `/` is a configured
 * provider id; otherwise the slash belongs to the model name (`meta-llama/Llama-3-8B`).
 */
export function parsePinnedModel(
  requestedModel: string,
  providers: readonly { readonly id: string }[],
): PinnedModel | undefined {
  const slash = requestedModel.indexOf('/');
  if (slash <= 0 || slash === requestedModel.length - 1) return undefined;
  const providerId = requestedModel.slice(0, slash);
  if (!providers.some((provider) => provider.id === providerId)) return undefined;
  return { providerId, model: requestedModel.slice(slash + 1) };
}
