// The fallback map, edited as rows: a model and the models tried after it, comma separated.
// Checked before saving (fallback-map.ts); the gateway checks again and refuses cycles.
import { clear, h, uid } from './dom.js';
import { parseRows, toRows, type FallbackRow, type RowError } from './fallback-map.js';
import type { View, ViewContext } from './view-context.js';

export function createFallbacksView(ctx: ViewContext): View {
  let rows: FallbackRow[] = [];
  const body = h('tbody');
  const errorList = h('ul', { class: 'errors', hidden: true });
  const addRow = h('button', { type: 'button' }, 'Add row');
  const save = h('button', { type: 'submit', class: 'primary' }, 'Save fallbacks');
  const form = h(
    'form',
    { novalidate: true },
    h(
      'table',
      {},
      h('caption', { class: 'visually-hidden' }, 'Fallback map'),
      h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Model'), h('th', { scope: 'col' }, 'Falls back to (in order)'), h('th', { scope: 'col' }, 'Actions'))),
      body,
    ),
    errorList,
    h('div', { class: 'buttons' }, addRow, save),
  );
  addRow.addEventListener('click', () => {
    rows = [...readRows(), { model: '', fallbacks: '' }];
    render();
    body.querySelector<HTMLInputElement>('tr:last-child input')?.focus();
  });
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void submit();
  });

  const view: View = {
    element: h(
      'section',
      { class: 'panel', id: 'fallbacks', 'aria-labelledby': 'fallbacks-heading' },
      h('h2', { id: 'fallbacks-heading' }, 'Fallback map'),
      h('p', { class: 'hint' }, 'When every provider of a model fails, the gateway tries these models next, e.g. gpt-4o → claude-3-5-sonnet.'),
      form,
    ),
    refresh: async () => {
      rows = toRows(await ctx.api.getFallbacks());
      render();
    },
  };

  function render(errors: RowError[] = []): void {
    clear(body);
    if (rows.length === 0) body.appendChild(h('tr', {}, h('td', { colspan: 3, class: 'empty' }, 'No fallbacks: use Add row.')));
    rows.forEach((row, index) => {
      const modelError = errors.find((e) => e.row === index && e.field === 'model');
      const listError = errors.find((e) => e.row === index && e.field === 'fallbacks');
      const model = input(row.model, `Model of row ${index + 1}`, modelError);
      model.dataset.field = 'model';
      const list = input(row.fallbacks, `Fallback models of row ${index + 1}`, listError);
      list.dataset.field = 'fallbacks';
      const remove = h('button', { type: 'button' }, 'Remove', h('span', { class: 'visually-hidden' }, ` row ${index + 1}`));
      remove.addEventListener('click', () => {
        rows = readRows().filter((_, i) => i !== index);
        render();
        (body.querySelector<HTMLButtonElement>('tr:last-child button') ?? addRow).focus();
      });
      body.appendChild(h('tr', {}, h('td', {}, model, message(model, modelError)), h('td', {}, list, message(list, listError)), h('td', {}, remove)));
    });
    clear(errorList);
    errorList.hidden = errors.length === 0;
    for (const error of errors) errorList.appendChild(h('li', {}, `Row ${error.row + 1}: ${error.message}`));
  }

  function input(value: string, label: string, error: RowError | undefined): HTMLInputElement {
    return h('input', { type: 'text', value, 'aria-label': label, 'aria-invalid': error ? 'true' : undefined, autocomplete: 'off', spellcheck: 'false' });
  }

  function message(control: HTMLInputElement, error: RowError | undefined): HTMLElement | undefined {
    if (!error) return undefined;
    const id = uid('fallback-error');
    control.setAttribute('aria-describedby', id);
    return h('p', { class: 'field-error', id }, error.message);
  }

  function readRows(): FallbackRow[] {
    return [...body.querySelectorAll('tr')]
      .map((tr) => ({
        model: tr.querySelector<HTMLInputElement>('input[data-field="model"]')?.value,
        fallbacks: tr.querySelector<HTMLInputElement>('input[data-field="fallbacks"]')?.value,
      }))
      .filter((row): row is FallbackRow => row.model !== undefined && row.fallbacks !== undefined);
  }

  async function submit(): Promise<void> {
    rows = readRows();
    const parsed = parseRows(rows);
    if (!parsed.ok) {
      render(parsed.errors);
      ctx.fail(new Error(`The fallback map was not saved: ${parsed.errors.length} problem${parsed.errors.length > 1 ? 's' : ''}, see the rows.`));
      body.querySelector<HTMLInputElement>('input[aria-invalid="true"]')?.focus();
      return;
    }
    try {
      rows = toRows(await ctx.api.setFallbacks(parsed.map));
      render();
      ctx.notify(`Fallback map saved (${rows.length} model${rows.length === 1 ? '' : 's'}).`);
    } catch (error) {
      ctx.fail(error);
    }
  }

  return view;
}
