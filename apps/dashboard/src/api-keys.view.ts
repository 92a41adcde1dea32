// Gateway API keys: create (the key is shown once, with a copy button, until dismissed), list, delete.
import type { ApiKey, CreatedApiKey, Team } from './admin-api.js';
import { clear, field, formatDate, h } from './dom.js';
import { parseModelList } from './fallback-map.js';
import type { View, ViewContext } from './view-context.js';

export function createApiKeysView(ctx: ViewContext): View & { forgetCreatedKey(): void } {
  let keys: ApiKey[] = [];
  let teams: Team[] = [];
  const body = h('tbody');
  const empty = h('p', { class: 'empty', hidden: true }, 'No gateway API keys yet.');
  const once = h('div', { class: 'once', hidden: true, role: 'region', 'aria-labelledby': 'new-key-heading', tabindex: '-1' });
  const name = h('input', { type: 'text', required: true, autocomplete: 'off', spellcheck: 'false' });
  const models = h('input', { type: 'text', autocomplete: 'off', spellcheck: 'false' });
  const team = h('select', {});
  const form = h(
    'form',
    { class: 'stacked-form', 'aria-labelledby': 'create-key-heading' },
    h('h3', { id: 'create-key-heading' }, 'Create a gateway API key'),
    field('Key name', name, 'Who uses it, e.g. team-a.'),
    field('Allowed models', models, 'Optional, comma separated; empty allows every model.'),
    field('Team', team, "Optional; the team's budget, limits and allowed models apply to the key too."),
    h('button', { type: 'submit' }, 'Create key'),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void create(name.value.trim(), parseModelList(models.value), team.value);
  });

  const forgetCreatedKey = (): void => {
    clear(once);
    once.hidden = true;
  };

  const view = {
    element: h(
      'section',
      { class: 'panel', id: 'api-keys', 'aria-labelledby': 'api-keys-heading' },
      h('h2', { id: 'api-keys-heading' }, 'Gateway API keys'),
      h('p', { class: 'hint' }, 'Teams call the gateway with these keys (Authorization: Bearer …). The gateway stores only their SHA-256.'),
      once,
      h(
        'table',
        {},
        h('caption', { class: 'visually-hidden' }, 'Gateway API keys'),
        h('thead', {}, h('tr', {}, ...['Name', 'Id', 'Allowed models', 'Team', 'Created', 'Actions'].map((t) => h('th', { scope: 'col' }, t)))),
        body,
      ),
      empty,
      form,
    ),
    refresh: async () => {
      [keys, teams] = await Promise.all([ctx.api.listApiKeys(), ctx.api.listTeams()]);
      keys.sort((a, b) => a.name.localeCompare(b.name));
      renderTeams();
      render();
    },
    forgetCreatedKey,
    dispose: forgetCreatedKey,
  };

  function renderTeams(): void {
    const chosen = team.value;
    clear(team);
    team.append(h('option', { value: '' }, 'No team'), ...teams.map((t) => h('option', { value: t.id, selected: t.id === chosen }, t.name)));
  }

  function render(): void {
    clear(body);
    empty.hidden = keys.length > 0;
    for (const key of keys) {
      const actions = h('td', { class: 'actions' });
      const showDelete = (): void => {
        clear(actions);
        const remove = h('button', { type: 'button', class: 'danger' }, 'Delete', h('span', { class: 'visually-hidden' }, ` key ${key.name}`));
        remove.addEventListener('click', () => {
          clear(actions);
          const yes = h('button', { type: 'button', class: 'danger' }, 'Yes, delete');
          const no = h('button', { type: 'button' }, 'Cancel');
          yes.addEventListener('click', () => void removeKey(key));
          no.addEventListener('click', () => {
            showDelete();
            actions.querySelector('button')?.focus();
          });
          actions.append(h('span', { class: 'confirm', role: 'alert' }, `Delete "${key.name}"? Its callers get 401 from now on.`), yes, no);
          no.focus();
        });
        actions.appendChild(remove);
      };
      showDelete();
      body.appendChild(
        h(
          'tr',
          { 'data-id': key.id },
          h('td', {}, key.name),
          h('td', { class: 'mono' }, key.id),
          h('td', {}, key.allowedModels?.length ? key.allowedModels.join(', ') : 'all'),
          h('td', {}, key.teamId ? (teams.find((t) => t.id === key.teamId)?.name ?? key.teamId) : '—'),
          h('td', {}, formatDate(key.createdAt)),
          actions,
        ),
      );
    }
  }

  function showOnce(created: CreatedApiKey): void {
    clear(once);
    const value = h('code', { class: 'secret', id: 'new-key-value' }, created.key);
    const copy = h('button', { type: 'button' }, 'Copy key');
    const done = h('button', { type: 'button' }, 'Done, hide the key');
    copy.addEventListener('click', () => {
      void (async () => {
        try {
          await navigator.clipboard.writeText(created.key);
          ctx.notify('Key copied to the clipboard.');
        } catch {
          const selection = window.getSelection();
          const range = document.createRange();
          range.selectNodeContents(value);
          selection?.removeAllRanges();
          selection?.addRange(range);
          ctx.fail(new Error('The browser did not allow copying: the key is selected, press Ctrl+C (⌘C).'));
        }
      })();
    });
    done.addEventListener('click', () => {
      forgetCreatedKey();
      name.focus();
    });
    once.append(
      h('h3', { id: 'new-key-heading' }, `New key "${created.name}"`),
      h('p', {}, 'Copy it now: it is shown only this once and cannot be recovered.'),
      h('p', {}, value),
      h('div', { class: 'buttons' }, copy, done),
    );
    once.hidden = false;
    once.focus();
  }

  async function create(keyName: string, allowedModels: string[], teamId: string): Promise<void> {
    if (!keyName) return ctx.fail(new Error('Name the key first.'));
    try {
      forgetCreatedKey();
      const created = await ctx.api.createApiKey({ name: keyName, ...(allowedModels.length ? { allowedModels } : {}), ...(teamId ? { teamId } : {}) });
      form.reset();
      showOnce(created);
      ctx.notify(`Key "${created.name}" created.`);
      await view.refresh();
    } catch (error) {
      ctx.fail(error);
    }
  }

  async function removeKey(key: ApiKey): Promise<void> {
    try {
      await ctx.api.deleteApiKey(key.id);
      ctx.notify(`Key "${key.name}" deleted.`);
      await view.refresh();
    } catch (error) {
      ctx.fail(error);
    }
  }

  return view;
}
