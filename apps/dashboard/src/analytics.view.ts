// Provider health over the last 5 minutes (analytics), refreshed every 5 s while signed in.
import { clear, h } from './dom.js';
import { healthRows, updatedAt } from './health-format.js';
import type { View, ViewContext } from './view-context.js';

export const HEALTH_REFRESH_MS = 5_000;

export function createAnalyticsView(ctx: ViewContext): View & { start(): void } {
  const body = h('tbody');
  const status = h('p', { class: 'hint', id: 'health-updated' }, 'Not loaded yet.');
  const empty = h('p', { class: 'empty', hidden: true }, 'No requests in the last 5 minutes.');
  let timer: ReturnType<typeof setInterval> | undefined;
  let loading = false;

  const view = {
    element: h(
      'section',
      { class: 'panel', id: 'analytics', 'aria-labelledby': 'analytics-heading' },
      h('h2', { id: 'analytics-heading' }, 'Provider health'),
      h('p', { class: 'hint' }, 'Requests, error rate and latency per provider over the last 5 minutes; refreshed every 5 seconds.'),
      h(
        'table',
        { 'aria-describedby': 'health-updated' },
        h('caption', { class: 'visually-hidden' }, 'Provider health'),
        h('thead', {}, h('tr', {}, ...['Provider', 'Status', 'Requests', 'Error rate', 'p50 latency', 'p95 latency'].map((t) => h('th', { scope: 'col' }, t)))),
        body,
      ),
      empty,
      status,
    ),
    refresh: async () => {
      if (loading) return;
      loading = true;
      try {
        const rows = healthRows(await ctx.api.providerHealth());
        clear(body);
        empty.hidden = rows.length > 0;
        for (const row of rows) {
          body.appendChild(
            h(
              'tr',
              { 'data-provider': row.provider },
              h('th', { scope: 'row' }, row.provider),
              h('td', {}, h('span', { class: row.badgeClass }, row.status)),
              h('td', { class: 'num' }, row.requests),
              h('td', { class: 'num' }, row.errorRate),
              h('td', { class: 'num' }, row.p50),
              h('td', { class: 'num' }, row.p95),
            ),
          );
        }
        status.textContent = updatedAt(new Date());
      } finally {
        loading = false;
      }
    },
    start: () => {
      if (timer) return;
      timer = setInterval(() => void view.refresh().catch(ctx.fail), HEALTH_REFRESH_MS);
    },
    dispose: () => {
      if (timer) clearInterval(timer);
      timer = undefined;
    },
  };
  return view;
}
