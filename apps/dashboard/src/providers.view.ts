// Providers in priority order: drag a row to reorder, or Move up / Move down (keyboard);
// enable or disable a provider; edit its base URL (a new host only after the operator confirms that
// the provider's keys go there); add an OpenAI-compatible or Anthropic provider.
import { AdminApiError, PROVIDER_REDIRECT_UNCONFIRMED, type Provider } from './admin-api.js';
import { clear, field, h } from './dom.js';
import { kindFieldsBody, kindFieldsSummary, kindInfo, PROVIDER_KIND_INFO } from './provider-kinds.js';
import { parseModelList } from './fallback-map.js';
import { movesToAnotherOrigin, redirectQuestion } from './provider-redirect.js';
import { byPriority, dropOn, moveId, priorityBody, sameOrder } from './priority-order.js';
import type { View, ViewContext } from './view-context.js';

export interface ProvidersView extends View {
  /** Called after any change, so panels that list providers can refresh. */
  onChange?: () => void;
}

export function createProvidersView(ctx: ViewContext): ProvidersView {
  let providers: Provider[] = [];
  let busy = false;
  let dragged: string | undefined;
  const list = h('ol', { class: 'provider-list', 'aria-describedby': 'providers-help' });
  const empty = h('p', { class: 'empty', hidden: true }, 'No providers yet.');
  const view: ProvidersView = {
    element: h(
      'section',
      { class: 'panel', id: 'providers', 'aria-labelledby': 'providers-heading' },
      h('h2', { id: 'providers-heading' }, 'Providers and priority'),
      h(
        'p',
        { class: 'hint', id: 'providers-help' },
        'A request tries the enabled providers holding a key in this order. Drag a provider to reorder, or use its Move up and Move down buttons.',
      ),
      list,
      empty,
      addProviderForm(),
    ),
    refresh: async () => {
      providers = byPriority(await ctx.api.listProviders());
      render();
    },
  };
  const changed = (): void => view.onChange?.();

  function render(focus?: { id: string; action: string }): void {
    clear(list);
    empty.hidden = providers.length > 0;
    providers.forEach((provider, index) => list.appendChild(row(provider, index)));
    if (focus) {
      const item = list.querySelector<HTMLElement>(`li[data-id="${CSS.escape(focus.id)}"]`);
      const wanted = item?.querySelector<HTMLButtonElement>(`button[data-action="${focus.action}"]`);
      const other = item?.querySelector<HTMLButtonElement>(`button[data-action="${focus.action === 'up' ? 'down' : 'up'}"]`);
      (wanted && !wanted.disabled ? wanted : other)?.focus();
    }
  }

  function row(provider: Provider, index: number): HTMLLIElement {
    const enabled = h('input', { type: 'checkbox', checked: provider.enabled });
    enabled.addEventListener('change', () => void setEnabled(provider, enabled.checked));
    const baseUrl = h('input', { type: 'url', value: provider.baseUrl, required: true, autocomplete: 'off', spellcheck: 'false' });
    const urlForm = h(
      'form',
      { class: 'inline-form' },
      field(`Base URL of ${provider.id}`, baseUrl),
      h('button', { type: 'submit' }, 'Save URL'),
    );
    const urlArea = h('div', { class: 'url-area' }, urlForm);
    urlForm.addEventListener('submit', (event) => {
      event.preventDefault();
      const next = baseUrl.value.trim();
      const ui = { area: urlArea, form: urlForm };
      // Another host gets the provider's keys: ask first, and send the confirmation only after a yes.
      if (movesToAnotherOrigin(provider.baseUrl, next)) askRedirect(provider, next, ui);
      else void saveBaseUrl(provider, next, ui);
    });
    const hidden = (text: string): HTMLSpanElement => h('span', { class: 'visually-hidden' }, text);
    const up = h('button', { type: 'button', 'data-action': 'up', disabled: index === 0 }, 'Move up', hidden(` ${provider.id}`));
    const down = h('button', { type: 'button', 'data-action': 'down', disabled: index === providers.length - 1 }, 'Move down', hidden(` ${provider.id}`));
    up.addEventListener('click', () => void move(provider.id, -1, 'up'));
    down.addEventListener('click', () => void move(provider.id, 1, 'down'));

    const item = h(
      'li',
      { class: 'provider', draggable: 'true', 'data-id': provider.id },
      h('span', { class: 'drag-handle', 'aria-hidden': 'true', title: 'Drag to reorder' }, '⠿'),
      h(
        'div',
        { class: 'provider-name' },
        h('span', { class: 'rank' }, `${index + 1}.`),
        h('strong', {}, provider.id),
        h('span', { class: 'tag' }, provider.kind),
        provider.enabled ? null : h('span', { class: 'tag tag-off' }, 'disabled'),
        kindFieldsSummary(provider) ? h('span', { class: 'kind-fields' }, kindFieldsSummary(provider)) : null,
      ),
      h('label', { class: 'toggle' }, enabled, ` Enabled`, hidden(` (${provider.id})`)),
      urlArea,
      h('div', { class: 'move' }, up, down),
    );
    item.addEventListener('dragstart', (event) => {
      dragged = provider.id;
      item.classList.add('dragging');
      event.dataTransfer?.setData('text/plain', provider.id);
      if (event.dataTransfer) event.dataTransfer.effectAllowed = 'move';
    });
    item.addEventListener('dragend', () => {
      dragged = undefined;
      item.classList.remove('dragging');
      list.querySelectorAll('.drop-target').forEach((el) => el.classList.remove('drop-target'));
    });
    item.addEventListener('dragover', (event) => {
      if (!dragged || dragged === provider.id) return;
      event.preventDefault();
      item.classList.add('drop-target');
    });
    item.addEventListener('dragleave', () => item.classList.remove('drop-target'));
    item.addEventListener('drop', (event) => {
      event.preventDefault();
      item.classList.remove('drop-target');
      const source = dragged ?? event.dataTransfer?.getData('text/plain');
      if (source && source !== provider.id) void saveOrder(dropOn(ids(), source, provider.id));
    });
    return item;
  }

  const ids = (): string[] => providers.map((p) => p.id);

  async function move(id: string, delta: number, action: string): Promise<void> {
    await saveOrder(moveId(ids(), id, delta), { id, action });
  }

  async function saveOrder(order: string[], focus?: { id: string; action: string }): Promise<void> {
    if (busy || sameOrder(order, ids())) return;
    busy = true;
    try {
      await ctx.api.setPriority(priorityBody(order).order);
      providers = byPriority(await ctx.api.listProviders());
      render(focus);
      ctx.notify(`Priority saved: ${ids().join(', ')}.`);
      changed();
    } catch (error) {
      ctx.fail(error);
    } finally {
      busy = false;
    }
  }

  async function setEnabled(provider: Provider, enabled: boolean): Promise<void> {
    try {
      await ctx.api.updateProvider(provider.id, { enabled });
      ctx.notify(`${provider.id} ${enabled ? 'enabled' : 'disabled'}.`);
      changed();
    } catch (error) {
      ctx.fail(error);
    }
    await view.refresh().catch(ctx.fail);
  }

  /**
   * Saves a base URL. The gateway refuses (409) to move an existing provider to another origin
   * unconfirmed, since its keys would follow (the provider may have moved since this page loaded):
   * then the operator is asked, and only a "yes" sends the confirmation.
   */
  async function saveBaseUrl(provider: Provider, baseUrl: string, ui: { area: HTMLElement; form: HTMLFormElement }, confirmed = false): Promise<void> {
    try {
      await ctx.api.updateProvider(provider.id, confirmed ? { baseUrl, confirmKeyRedirect: true } : { baseUrl });
      ctx.notify(`Base URL of ${provider.id} saved.`);
      await view.refresh();
    } catch (error) {
      if (!confirmed && error instanceof AdminApiError && error.code === PROVIDER_REDIRECT_UNCONFIRMED) {
        askRedirect(provider, baseUrl, ui);
        return;
      }
      ctx.fail(error);
    }
  }

  function askRedirect(provider: Provider, baseUrl: string, ui: { area: HTMLElement; form: HTMLFormElement }): void {
    clear(ui.area);
    const yes = h('button', { type: 'button', class: 'danger' }, 'Yes, send its keys there');
    const no = h('button', { type: 'button' }, 'Cancel');
    yes.addEventListener('click', () => void saveBaseUrl(provider, baseUrl, ui, true));
    no.addEventListener('click', () => {
      clear(ui.area);
      ui.area.appendChild(ui.form);
      ui.form.querySelector('input')?.focus();
    });
    ui.area.append(h('span', { class: 'confirm', role: 'alert' }, redirectQuestion(provider, baseUrl)), yes, no);
    no.focus();
  }

  function addProviderForm(): HTMLFormElement {
    const id = h('input', { type: 'text', required: true, autocomplete: 'off', spellcheck: 'false', pattern: '[a-z0-9][a-z0-9_\\-]*' });
    const kind = h('select', {}, ...PROVIDER_KIND_INFO.map((info) => h('option', { value: info.kind }, info.label)));
    const baseUrl = h('input', { type: 'url', required: true, autocomplete: 'off', spellcheck: 'false' });
    const baseUrlField = field('Base URL', baseUrl, kindInfo(kind.value).baseUrlHint);
    const models = h('input', { type: 'text', autocomplete: 'off', spellcheck: 'false' });
    const kindFields = h('div', { class: 'kind-fields-inputs' });
    let inputs = new Map<string, HTMLInputElement>();
    const showKindFields = (): void => {
      const info = kindInfo(kind.value);
      clear(kindFields);
      inputs = new Map();
      for (const kindField of info.fields) {
        const input = h('input', { type: 'text', required: kindField.required, autocomplete: 'off', spellcheck: 'false', 'data-kind-field': kindField.name });
        inputs.set(kindField.name, input);
        kindFields.appendChild(field(kindField.label, input, kindField.hint));
      }
      const hint = baseUrlField.querySelector('.hint');
      if (hint) hint.textContent = info.baseUrlHint;
      // A default the operator has not changed follows the kind.
      if (!baseUrl.value || PROVIDER_KIND_INFO.some((other) => other.defaultBaseUrl === baseUrl.value)) baseUrl.value = info.defaultBaseUrl;
    };
    kind.addEventListener('change', showKindFields);
    const form = h(
      'form',
      { class: 'stacked-form', 'aria-labelledby': 'add-provider-heading' },
      h('h3', { id: 'add-provider-heading' }, 'Add a provider'),
      field('Provider id', id, 'Lower case, e.g. vllm; pin it with "vllm/<model>".'),
      field('Kind', kind),
      baseUrlField,
      kindFields,
      field('Models', models, 'Comma separated, e.g. llama-3.1-70b. An OpenAI-compatible server serves only these; the built-in kinds serve their catalog models too.'),
      h('button', { type: 'submit' }, 'Add provider'),
    );
    showKindFields();
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      const extra = parseModelList(models.value);
      void (async () => {
        try {
          const fields = kindFieldsBody(kind.value, Object.fromEntries([...inputs].map(([name, input]) => [name, input.value])));
          await ctx.api.updateProvider(id.value.trim(), { kind: kind.value, baseUrl: baseUrl.value.trim(), ...fields, ...(extra.length ? { models: extra } : {}) });
          ctx.notify(`Provider ${id.value.trim()} saved.`);
          form.reset();
          showKindFields();
          await view.refresh();
          changed();
        } catch (error) {
          ctx.fail(error);
        }
      })();
    });
    return form;
  }

  return view;
}
