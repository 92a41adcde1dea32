/** Request ids seen recently, bounded by count and age (insertion order = age order). */
export class SeenIdsCache {
  private readonly seenAt = new Map<string, number>();

  constructor(
    private readonly maxEntries = 100_000,
    private readonly ttlMs = 10 * 60_000,
    private readonly now: () => number = Date.now,
  ) {}

  has(id: string): boolean {
    this.evict();
    return this.seenAt.has(id);
  }

  add(id: string): void {
    this.seenAt.delete(id);
    this.seenAt.set(id, this.now());
    this.evict();
  }

  size(): number {
    return this.seenAt.size;
  }

  private evict(): void {
    const oldest = this.now() - this.ttlMs;
    for (const [id, at] of this.seenAt) {
      if (this.seenAt.size <= this.maxEntries && at > oldest) break;
      this.seenAt.delete(id);
    }
  }
}
