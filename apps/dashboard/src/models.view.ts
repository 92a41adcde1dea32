// Models and prices: the effective catalog (built-in prices with the operator's overrides), a
// price or limit changed, a model the catalog does not know added on the providers that serve it,
// an override removed (a catalog model returns to its built-in price).
import { clear, field, h } from './dom.js';
import { createModelDiscoveryView } from './model-discovery.view.js';
import { formatPrice, formatTokens, modelOverrideOf } from './model-form.js';
import { deleteModelOverride, listModels, putModelOverride, type CatalogModel } from './models.api.js';
import type { View, ViewContext } from './view-context.js';

export function createModelsView(ctx: ViewContext): View {
  let models: CatalogModel[] = [];
  const body = h('tbody');
  const filter = h('input', { type: 'search', autocomplete: 'off', spellcheck: 'false', placeholder: 'gpt-4o, claude, llama…' });
  const heading = h('h3', { id: 'model-form-heading' }, 'Override a price or add a model');
  const name = h('input', { type: 'text', required: true, autocomplete: 'off', spellcheck: 'false' });
  const inputPrice = h('input', { type: 'number', min: '0', step: 'any', inputmode: 'decimal' });
  const outputPrice = h('input', { type: 'number', min: '0', step: 'any', inputmode: 'decimal' });
  const contextWindow = h('input', { type: 'number', min: '1', step: '1', inputmode: 'numeric' });
  const maxOutput = h('input', { type: 'number', min: '0', step: '1', inputmode: 'numeric' });
  const providers = h('input', { type: 'text', autocomplete: 'off', spellcheck: 'false' });
  const submit = h('button', { type: 'submit' }, 'Save model');
  const cancel = h('button', { type: 'button', hidden: true }, 'Cancel');
  const form = h(
    'form',
    { class: 'stacked-form', 'aria-labelledby': 'model-form-heading' },
    heading,
    field('Model name', name, 'A catalog name changes that model for every provider kind; a new name adds a model.'),
    field('Input price (USD per 1M tokens)', inputPrice, 'Empty keeps the built-in price; a new model needs both prices.'),
    field('Output price (USD per 1M tokens)', outputPrice),
    field('Context window (tokens)', contextWindow, 'Optional.'),
    field('Max output tokens', maxOutput, 'Optional.'),
    field('Served by providers', providers, 'Provider ids, comma separated; a new model needs at least one.'),
    h('div', { class: 'buttons' }, submit, cancel),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void save();
  });
  cancel.addEventListener('click', () => stopEditing());
  filter.addEventListener('input', () => render());
  const discovery = createModelDiscoveryView(ctx);

  const view: View = {
    element: h(
      'section',
      { class: 'panel', id: 'models', 'aria-labelledby': 'models-heading' },
      h('h2', { id: 'models-heading' }, 'Models and prices'),
      h('p', { class: 'hint' }, 'Prices are USD per 1M tokens; they price usage events, cost metrics and budget admission on every replica.'),
      field('Filter models', filter),
      h(
        'table',
        {},
        h('caption', { class: 'visually-hidden' }, 'Models and prices'),
        h('thead', {}, h('tr', {}, ...['Model', 'Source', 'Input', 'Output', 'Context', 'Max output', 'Served by', 'Actions'].map((t) => h('th', { scope: 'col' }, t)))),
        body,
      ),
      form,
      discovery.element,
    ),
    refresh: async () => {
      [models] = await Promise.all([listModels(ctx.api), discovery.refresh()]);
      render();
    },
  };
  discovery.onApplied = () => void view.refresh().catch((error: unknown) => ctx.fail(error));

  function priceCell(value: number, builtIn: number | undefined): HTMLTableCellElement {
    const changed = builtIn !== undefined && builtIn !== value;
    return h('td', { class: 'number', title: changed ? `built in: ${formatPrice(builtIn)}` : undefined }, formatPrice(value), changed ? h('span', { class: 'hint' }, ` (was ${formatPrice(builtIn)})`) : null);
  }

  function render(): void {
    clear(body);
    const wanted = filter.value.trim().toLowerCase();
    for (const model of models.filter((m) => wanted === '' || m.name.toLowerCase().includes(wanted))) {
      const actions = h('td', { class: 'actions' });
      const edit = h('button', { type: 'button' }, 'Edit', h('span', { class: 'visually-hidden' }, ` model ${model.name}`));
      edit.addEventListener('click', () => startEditing(model));
      actions.append(edit);
      if (model.source === 'override') {
        const remove = h('button', { type: 'button', class: 'danger' }, model.builtIn ? 'Reset price' : 'Remove', h('span', { class: 'visually-hidden' }, ` model ${model.name}`));
        remove.addEventListener('click', () => void removeOverride(model));
        actions.append(remove);
      }
      body.appendChild(
        h(
          'tr',
          { 'data-name': model.name },
          h('td', { class: 'mono' }, model.name),
          h('td', {}, model.source === 'override' ? (model.builtIn ? 'override' : 'added') : 'catalog'),
          priceCell(model.inputUsdPerMTok, model.builtIn?.inputUsdPerMTok),
          priceCell(model.outputUsdPerMTok, model.builtIn?.outputUsdPerMTok),
          h('td', { class: 'number' }, formatTokens(model.contextWindow)),
          h('td', { class: 'number' }, formatTokens(model.maxOutputTokens)),
          h('td', {}, model.providers.length ? model.providers.join(', ') : '—'),
          actions,
        ),
      );
    }
  }

  function startEditing(model: CatalogModel): void {
    heading.textContent = `Change model "${model.name}"`;
    cancel.hidden = false;
    name.value = model.name;
    inputPrice.value = String(model.inputUsdPerMTok);
    outputPrice.value = String(model.outputUsdPerMTok);
    contextWindow.value = model.override?.contextWindow !== undefined ? String(model.override.contextWindow) : '';
    maxOutput.value = model.override?.maxOutputTokens !== undefined ? String(model.override.maxOutputTokens) : '';
    providers.value = (model.override?.providers ?? []).join(', ');
    inputPrice.focus();
  }

  function stopEditing(): void {
    heading.textContent = 'Override a price or add a model';
    cancel.hidden = true;
    form.reset();
  }

  async function save(): Promise<void> {
    const modelName = name.value.trim();
    if (!modelName) return ctx.fail(new Error('Name the model first.'));
    const parsed = modelOverrideOf({ inputUsdPerMTok: inputPrice.value, outputUsdPerMTok: outputPrice.value, contextWindow: contextWindow.value, maxOutputTokens: maxOutput.value, providers: providers.value });
    if ('error' in parsed) return ctx.fail(new Error(parsed.error));
    try {
      await putModelOverride(ctx.api, modelName, parsed.override);
      ctx.notify(`Model "${modelName}" saved.`);
      stopEditing();
      await view.refresh();
    } catch (error) {
      ctx.fail(error);
    }
  }

  async function removeOverride(model: CatalogModel): Promise<void> {
    try {
      await deleteModelOverride(ctx.api, model.name);
      ctx.notify(model.builtIn ? `Model "${model.name}" is back to its built-in price.` : `Model "${model.name}" removed.`);
      await view.refresh();
    } catch (error) {
      ctx.fail(error);
    }
  }

  return view;
}
