/**
 * Request body bytes held by this process at once, across every request (Envoy's overload
 * manager idea): a body is counted from its first byte until its response is finished, and
 * a request that would push the total past the budget is refused with 503 + Retry-After
 * instead of letting memory grow with the number of large concurrent bodies.
 */
export class InflightBytesBudget {
  private used = 0;

  constructor(readonly limit: number) {}

  get inUse(): number {
    return this.used;
  }

  /** Counts `bytes` more, or returns false (counting nothing) when that would pass the limit. */
  tryTake(bytes: number): boolean {
    if (this.used + bytes > this.limit) return false;
    this.used += bytes;
    return true;
  }

  give(bytes: number): void {
    this.used = Math.max(0, this.used - bytes);
  }
}
