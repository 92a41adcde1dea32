/** The budget period a moment falls in, in UTC: its name (stored with the spend) and when it ends. */
export type BudgetPeriodName = 'day' | 'week' | 'month' | 'total';

export interface PeriodWindow {
  /** e.g. "day:2026-12-01", "week:2026-11-30" (its Monday), "month:2026-12", "total". */
  key: string;
  /** When the next period starts (ms since the epoch); undefined for "total". */
  resetsAtMs: number | undefined;
}

const DAY_MS = 86_400_000;

export function periodWindow(period: string, nowMs: number): PeriodWindow {
  const now = new Date(nowMs);
  const dayStart = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  switch (period) {
    case 'day':
      return { key: `day:${isoDate(dayStart)}`, resetsAtMs: dayStart + DAY_MS };
    case 'week': {
      const sinceMonday = (now.getUTCDay() + 6) % 7;
      const monday = dayStart - sinceMonday * DAY_MS;
      return { key: `week:${isoDate(monday)}`, resetsAtMs: monday + 7 * DAY_MS };
    }
    case 'month':
      return {
        key: `month:${isoDate(dayStart).slice(0, 7)}`,
        resetsAtMs: Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1),
      };
    default:
      return { key: 'total', resetsAtMs: undefined };
  }
}

function isoDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}
