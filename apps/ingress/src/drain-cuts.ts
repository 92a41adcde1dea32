/**
 * The requests a drain's timeout cuts: each open request registers its cut here, and one listener
 * on the shutdown signal runs them all. (A listener per request on the AbortSignal cost more than
 * the rest of the request's bookkeeping in the profile.)
 */
export class DrainCuts {
  private readonly cuts = new Set<() => void>();

  constructor(private readonly shutdown: AbortSignal) {
    shutdown.addEventListener(
      'abort',
      () => {
        const open = [...this.cuts];
        this.cuts.clear();
        for (const cut of open) cut();
      },
      { once: true },
    );
  }

  /** Runs `cut` when the drain's timeout passes, or at once when it already has. */
  add(cut: () => void): void {
    if (this.shutdown.aborted) cut();
    else this.cuts.add(cut);
  }

  /** The request ended: nothing to cut any more. */
  delete(cut: () => void): void {
    this.cuts.delete(cut);
  }

  /** Requests registered and not yet ended or cut. */
  size(): number {
    return this.cuts.size;
  }
}
