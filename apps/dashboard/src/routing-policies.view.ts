// Routing policies, edited as rows (routing-policies.ts), and beside them the live figures the
// latency and availability policies read: one router replica's EWMA latency and error rate.
import type { RoutingStatsEntry, RoutingStrategy } from './admin-api.js';
import { clear, h } from './dom.js';
import { formatMs, formatRate, parsePolicyRows, STRATEGIES, toPolicyRows, type PolicyRow, type PolicyRowError } from './routing-policies.js';
import type { View, ViewContext } from './view-context.js';

const TEXT_FIELDS = ['weights', 'hedgeAfter', 'hedgeMaxShare'] as const;
const FIELD_LABELS: Record<(typeof TEXT_FIELDS)[number], string> = { weights: 'Weights', hedgeAfter: 'Hedge after (ms or p95)', hedgeMaxShare: 'Hedge max share' };

export function createRoutingPoliciesView(ctx: ViewContext): View {
  let rows: PolicyRow[] = [];
  const body = h('tbody');
  const statsBody = h('tbody');
  const errorList = h('ul', { class: 'errors', hidden: true });
  const addRow = h('button', { type: 'button' }, 'Add model');
  const save = h('button', { type: 'submit', class: 'primary' }, 'Save policies');
  const reloadStats = h('button', { type: 'button' }, 'Refresh figures');
  const form = h(
    'form',
    { novalidate: true },
    h(
      'table',
      {},
      h('caption', { class: 'visually-hidden' }, 'Routing policies'),
      h(
        'thead',
        {},
        h('tr', {}, ...['Model', 'Strategy', FIELD_LABELS.weights, FIELD_LABELS.hedgeAfter, FIELD_LABELS.hedgeMaxShare, 'Actions'].map((title) => h('th', { scope: 'col' }, title))),
      ),
      body,
    ),
    errorList,
    h('div', { class: 'buttons' }, addRow, save),
  );
  addRow.addEventListener('click', () => {
    rows = [...readRows(), { model: '', strategy: 'priority', weights: '', hedgeAfter: '', hedgeMaxShare: '' }];
    render();
    body.querySelector<HTMLInputElement>('tr:last-child input')?.focus();
  });
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void submit();
  });
  reloadStats.addEventListener('click', () => void refreshStats().catch(ctx.fail));

  const view: View = {
    element: h(
      'section',
      { class: 'panel', id: 'routing-policies', 'aria-labelledby': 'routing-policies-heading' },
      h('h2', { id: 'routing-policies-heading' }, 'Routing policies'),
      h('p', { class: 'hint' }, 'How each model’s providers are ordered: priority, weighted (e.g. openai=3, azure=1), cost, latency or availability. The first row is the default.'),
      form,
      h('h3', {}, 'Live figures (one router replica)'),
      h(
        'table',
        { id: 'routing-stats' },
        h('caption', { class: 'visually-hidden' }, 'Latency and error figures per provider and model'),
        h('thead', {}, h('tr', {}, ...['Provider', 'Model', 'EWMA time to first token', 'EWMA latency', 'Error rate', 'Samples'].map((title) => h('th', { scope: 'col' }, title)))),
        statsBody,
      ),
      h('div', { class: 'buttons' }, reloadStats),
    ),
    refresh: async () => {
      rows = toPolicyRows(await ctx.api.getRoutingPolicies());
      render();
      await refreshStats();
    },
  };

  async function refreshStats(): Promise<void> {
    renderStats(await ctx.api.getRoutingStats());
  }

  function renderStats(stats: RoutingStatsEntry[]): void {
    clear(statsBody);
    if (stats.length === 0) statsBody.appendChild(h('tr', {}, h('td', { colspan: 6, class: 'empty' }, 'No requests measured yet.')));
    for (const entry of stats) {
      statsBody.appendChild(
        h(
          'tr',
          {},
          h('td', {}, entry.provider),
          h('td', {}, entry.model),
          h('td', {}, formatMs(entry.ewmaTtftMs)),
          h('td', {}, formatMs(entry.ewmaLatencyMs)),
          h('td', {}, formatRate(entry.errorRate)),
          h('td', {}, String(entry.outcomeSamples)),
        ),
      );
    }
  }

  function render(errors: PolicyRowError[] = []): void {
    clear(body);
    rows.forEach((row, index) => {
      const label = index === 0 ? 'the default' : `row ${index + 1}`;
      const error = (field: PolicyRowError['field']) => errors.find((e) => e.row === index && e.field === field);
      const model =
        index === 0
          ? h('span', { 'data-field': 'model', 'data-value': '' }, '(default)')
          : h('input', { type: 'text', value: row.model, 'aria-label': `Model of ${label}`, 'aria-invalid': error('model') ? 'true' : undefined, 'data-field': 'model', autocomplete: 'off', spellcheck: 'false' });
      const strategy = h('select', { 'aria-label': `Strategy of ${label}`, 'data-field': 'strategy' }, ...STRATEGIES.map((name) => h('option', { value: name, selected: name === row.strategy }, name)));
      const texts = TEXT_FIELDS.map((field) =>
        h('input', { type: 'text', value: row[field], 'aria-label': `${FIELD_LABELS[field]} of ${label}`, 'aria-invalid': error(field) ? 'true' : undefined, 'data-field': field, autocomplete: 'off', spellcheck: 'false' }),
      );
      const remove = index === 0 ? undefined : h('button', { type: 'button' }, 'Remove', h('span', { class: 'visually-hidden' }, ` ${label}`));
      remove?.addEventListener('click', () => {
        rows = readRows().filter((_, i) => i !== index);
        render();
        addRow.focus();
      });
      body.appendChild(h('tr', {}, h('td', {}, model), h('td', {}, strategy), ...texts.map((input) => h('td', {}, input)), h('td', {}, remove)));
    });
    clear(errorList);
    errorList.hidden = errors.length === 0;
    for (const error of errors) errorList.appendChild(h('li', {}, `${error.row === 0 ? 'Default' : `Row ${error.row + 1}`}: ${error.message}`));
  }

  function readRows(): PolicyRow[] {
    return [...body.querySelectorAll('tr')].map((tr) => {
      const value = (field: string): string => {
        const control = tr.querySelector<HTMLInputElement | HTMLSelectElement>(`[data-field="${field}"]`);
        return control && 'value' in control ? control.value : '';
      };
      return {
        model: value('model'),
        strategy: value('strategy') as RoutingStrategy,
        weights: value('weights'),
        hedgeAfter: value('hedgeAfter'),
        hedgeMaxShare: value('hedgeMaxShare'),
      };
    });
  }

  async function submit(): Promise<void> {
    rows = readRows();
    const parsed = parsePolicyRows(rows);
    if (!parsed.ok) {
      render(parsed.errors);
      ctx.fail(new Error(`The routing policies were not saved: ${parsed.errors.length} problem${parsed.errors.length > 1 ? 's' : ''}, see the rows.`));
      body.querySelector<HTMLInputElement>('[aria-invalid="true"]')?.focus();
      return;
    }
    try {
      rows = toPolicyRows(await ctx.api.setRoutingPolicies(parsed.policies));
      render();
      ctx.notify(`Routing policies saved (default ${rows[0].strategy}, ${rows.length - 1} model${rows.length === 2 ? '' : 's'}).`);
    } catch (error) {
      ctx.fail(error);
    }
  }

  return view;
}
