// Provider health (GET /admin/v1/analytics/providers) as the table shows it. Pure.
import type { ProviderHealth } from './admin-api.js';

export interface HealthRow {
  provider: string;
  status: string;
  /** The CSS class of the status badge. */
  badgeClass: string;
  requests: string;
  errorRate: string;
  p50: string;
  p95: string;
}

const KNOWN_STATUSES = new Set(['healthy', 'degraded', 'down']);

/** 0.125 → "12.5%"; tiny non-zero rates stay visible ("<0.1%"). */
export function formatPercent(rate: number): string {
  if (!Number.isFinite(rate) || rate <= 0) return '0%';
  if (rate >= 1) return '100%';
  if (rate < 0.001) return '<0.1%';
  const percent = rate * 100;
  return `${percent >= 10 ? percent.toFixed(0) : percent.toFixed(1).replace(/\.0$/, '')}%`;
}

/** Milliseconds: "0 ms", "87 ms", "1.25 s", "12.5 s"; "—" when unknown. */
export function formatMs(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '—';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const seconds = ms / 1000;
  return `${seconds >= 10 ? seconds.toFixed(1) : seconds.toFixed(2)} s`;
}

/** 12345 → "12,345". */
export function formatCount(count: number): string {
  if (!Number.isFinite(count) || count < 0) return '0';
  return Math.round(count).toLocaleString('en-US');
}

export function badgeClass(status: string): string {
  return KNOWN_STATUSES.has(status) ? `badge badge-${status}` : 'badge badge-unknown';
}

/** Table rows sorted worst first (down, degraded, healthy, unknown), then by provider. */
export function healthRows(health: readonly ProviderHealth[]): HealthRow[] {
  const rank = (status: string): number => ({ down: 0, degraded: 1, healthy: 2 })[status] ?? 3;
  return [...health]
    .sort((a, b) => rank(a.status) - rank(b.status) || a.provider.localeCompare(b.provider))
    .map((h) => ({
      provider: h.provider,
      status: KNOWN_STATUSES.has(h.status) ? h.status : h.status || 'unknown',
      badgeClass: badgeClass(h.status),
      requests: formatCount(h.requests),
      errorRate: formatPercent(h.errorRate),
      p50: formatMs(h.latencyMs?.p50 ?? Number.NaN),
      p95: formatMs(h.latencyMs?.p95 ?? Number.NaN),
    }));
}

/** "Updated 14:03:07" in the browser's locale time. */
export function updatedAt(date: Date): string {
  const pad = (n: number): string => String(n).padStart(2, '0');
  return `Updated ${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`;
}
