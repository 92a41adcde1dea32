// Provider keys: listed masked (last 4 characters only), added, rotated, deleted after a confirm.
// A key is typed only into a password input (a credential JSON, for the kinds that take one, into
// a multi-line field that is not echoed back), sent once, and the input is cleared at once.
import type { Provider, ProviderKey } from './admin-api.js';
import { clear, field, formatDate, h } from './dom.js';
import { keyStateCell } from './key-state-format.js';
import { kindInfo } from './provider-kinds.js';
import type { View, ViewContext } from './view-context.js';

export function createProviderKeysView(ctx: ViewContext): View {
  let keys: ProviderKey[] = [];
  const body = h('tbody');
  const empty = h('p', { class: 'empty', hidden: true }, 'No provider keys yet: add one below, or no request can be routed.');
  const provider = h('select', { required: true });
  const name = h('input', { type: 'text', autocomplete: 'off', spellcheck: 'false' });
  let providers: Provider[] = [];
  const kindOf = (providerId: string): string => providers.find((p) => p.id === providerId)?.kind ?? 'openai';
  const secretArea = h('div', { class: 'secret-area' });
  let secret: HTMLInputElement | HTMLTextAreaElement = passwordInput();
  const showSecretInput = (): void => {
    const info = kindInfo(kindOf(provider.value));
    clear(secretArea);
    secret = info.credentialJson ? credentialInput() : passwordInput();
    secretArea.appendChild(
      field(info.credentialJson ? 'Provider key or credential JSON' : 'Provider API key', secret, `${info.keyHint} Sent once to key-vault, which encrypts it; it is never shown again.`),
    );
  };
  provider.addEventListener('change', showSecretInput);
  const form = h(
    'form',
    { class: 'stacked-form', 'aria-labelledby': 'add-key-heading' },
    h('h3', { id: 'add-key-heading' }, 'Add a provider key'),
    field('Provider', provider),
    field('Key name', name, 'Optional, e.g. primary.'),
    secretArea,
    h('button', { type: 'submit' }, 'Add key'),
  );
  showSecretInput();
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const key = secret.value;
    secret.value = '';
    void add(provider.value, name.value.trim(), key);
  });

  const view: View = {
    element: h(
      'section',
      { class: 'panel', id: 'provider-keys', 'aria-labelledby': 'provider-keys-heading' },
      h('h2', { id: 'provider-keys-heading' }, 'Provider keys'),
      h(
        'table',
        {},
        h('caption', { class: 'visually-hidden' }, 'Provider keys, masked'),
        h(
          'thead',
          {},
          h('tr', {}, ...['Provider', 'Name', 'Key', 'State', 'Added', 'Rotated', 'Actions'].map((title) => h('th', { scope: 'col' }, title))),
        ),
        body,
      ),
      empty,
      form,
    ),
    refresh: async () => {
      const [list, listed] = await Promise.all([ctx.api.listProviderKeys(), ctx.api.listProviders()]);
      providers = listed;
      keys = list.sort((a, b) => a.provider.localeCompare(b.provider) || a.name.localeCompare(b.name));
      const selected = provider.value;
      clear(provider);
      for (const p of providers) provider.appendChild(h('option', { value: p.id }, p.id));
      if (providers.some((p) => p.id === selected)) provider.value = selected;
      if (secret.value === '') showSecretInput();
      render();
    },
  };

  function render(): void {
    clear(body);
    empty.hidden = keys.length > 0;
    for (const key of keys) body.appendChild(row(key));
  }

  function row(key: ProviderKey): HTMLTableRowElement {
    const label = key.name || key.id;
    const actions = h('td', { class: 'actions' });
    const showButtons = (): void => {
      clear(actions);
      const rotate = h('button', { type: 'button' }, 'Rotate', h('span', { class: 'visually-hidden' }, ` ${key.provider} key ${label}`));
      const remove = h('button', { type: 'button', class: 'danger' }, 'Delete', h('span', { class: 'visually-hidden' }, ` ${key.provider} key ${label}`));
      rotate.addEventListener('click', () => showRotate(rotate));
      remove.addEventListener('click', () => showConfirm());
      actions.append(rotate, remove);
    };
    const showRotate = (_from: HTMLButtonElement): void => {
      clear(actions);
      const input = kindInfo(kindOf(key.provider)).credentialJson ? credentialInput() : passwordInput();
      const rotateForm = h(
        'form',
        { class: 'inline-form' },
        field(`New key for ${key.provider} ${label}`, input),
        h('button', { type: 'submit' }, 'Save new key'),
        h('button', { type: 'button', 'data-cancel': '' }, 'Cancel'),
      );
      rotateForm.querySelector('[data-cancel]')?.addEventListener('click', () => {
        showButtons();
        actions.querySelector('button')?.focus();
      });
      rotateForm.addEventListener('submit', (event) => {
        event.preventDefault();
        const value = input.value;
        input.value = '';
        void rotate(key, value);
      });
      actions.appendChild(rotateForm);
      input.focus();
    };
    const showConfirm = (): void => {
      clear(actions);
      const yes = h('button', { type: 'button', class: 'danger' }, 'Yes, delete');
      const no = h('button', { type: 'button' }, 'Cancel');
      yes.addEventListener('click', () => void remove(key));
      no.addEventListener('click', () => {
        showButtons();
        actions.querySelector<HTMLButtonElement>('button.danger')?.focus();
      });
      actions.append(h('span', { class: 'confirm', role: 'alert' }, `Delete the ${key.provider} key "${label}"? Requests stop using it at once.`), yes, no);
      no.focus();
    };
    showButtons();
    const state = keyStateCell(key);
    return h(
      'tr',
      { 'data-id': key.id, 'data-state': key.status ?? 'unknown', ...(state.failing ? { class: 'key-failing' } : {}) },
      h('td', {}, key.provider),
      h('td', {}, key.name || '—'),
      h('td', { class: 'mono' }, h('span', { 'aria-label': `ending in ${key.last4}` }, `••••${key.last4}`)),
      h('td', {}, h('span', { class: state.badgeClass }, state.label)),
      h('td', {}, formatDate(key.createdAt)),
      h('td', {}, formatDate(key.rotatedAt)),
      actions,
    );
  }

  async function add(providerId: string, keyName: string, key: string): Promise<void> {
    if (!key) return ctx.fail(new Error('Paste the provider API key first.'));
    try {
      const entry = await ctx.api.addProviderKey({ provider: providerId, key, ...(keyName ? { name: keyName } : {}) });
      name.value = '';
      ctx.notify(`Key ${entry.name || entry.id} added to ${entry.provider} (ends in ${entry.last4}).`);
      await view.refresh();
    } catch (error) {
      ctx.fail(error);
    }
  }

  async function rotate(entry: ProviderKey, key: string): Promise<void> {
    if (!key) return ctx.fail(new Error('Paste the new key first.'));
    try {
      const rotated = await ctx.api.rotateProviderKey(entry.id, key);
      ctx.notify(`Key ${rotated.name || rotated.id} of ${rotated.provider} rotated (now ends in ${rotated.last4}).`);
      await view.refresh();
    } catch (error) {
      ctx.fail(error);
    }
  }

  async function remove(entry: ProviderKey): Promise<void> {
    try {
      await ctx.api.deleteProviderKey(entry.id);
      ctx.notify(`Key ${entry.name || entry.id} of ${entry.provider} deleted.`);
      await view.refresh();
    } catch (error) {
      ctx.fail(error);
    }
  }

  return view;
}

function passwordInput(): HTMLInputElement {
  return h('input', { type: 'password', required: true, autocomplete: 'new-password', spellcheck: 'false' });
}

/** A multi-line field for a credential document; like a password field: not remembered, not spell-checked, cleared once sent. */
function credentialInput(): HTMLTextAreaElement {
  return h('textarea', { required: true, rows: 4, autocomplete: 'off', spellcheck: 'false', autocapitalize: 'off', 'data-credential': '', class: 'credential' });
}
