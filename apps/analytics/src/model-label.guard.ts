const MAX_LENGTH = 128;

/**
 * Keeps label values of models bounded: a model name comes from the client's request, so a
 * request that was never routed (unknown model, rejected) may carry any text. A name becomes
 * known once a request for it reached a provider; unknown names and names beyond the cap
 * become `_OTHER`.
 */
export class ModelLabelGuard {
  /** Each known name to itself: callers keep this one copy, not the event's. */
  private readonly known = new Map<string, string>();

  constructor(private readonly maxModels = 1_000) {}

  label(model: string, routed: boolean): string {
    if (model === '') return '';
    if (model.length > MAX_LENGTH) return '_OTHER';
    const known = this.known.get(model);
    if (known !== undefined) return known;
    if (!routed || this.known.size >= this.maxModels) return '_OTHER';
    this.known.set(model, model);
    return model;
  }
}
