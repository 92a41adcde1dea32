import type { UsageRow } from '@ai-gateway/proto';

/**
 * Usage cells (API key × model) one 10-second bucket holds; the rest of that bucket's requests
 * add up in one overflow cell (key and model `_OTHER`). The hour's 360 buckets then hold at most
 * 360 × 501 cells (about 60 MB with 128-character model names) whatever clients send.
 */
export const MAX_USAGE_CELLS_PER_BUCKET = 500;
const OVERFLOW = '_OTHER';

/** A cell is the row GetUsage answers with, summed over the window. */
export type UsageCell = UsageRow;

/** One bucket's usage by API key and model, bounded by MAX_USAGE_CELLS_PER_BUCKET. */
export class UsageCells {
  private readonly cells = new Map<string, UsageCell>();
  private overflow: UsageCell | undefined;

  cell(apiKeyId: string, model: string): UsageCell {
    const key = `${apiKeyId}\u0000${model}`;
    let cell = this.cells.get(key);
    if (cell) return cell;
    if (this.cells.size >= MAX_USAGE_CELLS_PER_BUCKET) return (this.overflow ??= emptyCell(OVERFLOW, OVERFLOW));
    cell = emptyCell(apiKeyId, model);
    this.cells.set(key, cell);
    return cell;
  }

  *[Symbol.iterator](): Iterator<UsageCell> {
    yield* this.cells.values();
    if (this.overflow) yield this.overflow;
  }
}

function emptyCell(apiKeyId: string, model: string): UsageCell {
  return { apiKeyId, model, requests: 0, inputTokens: 0, outputTokens: 0, costUsd: 0 };
}
