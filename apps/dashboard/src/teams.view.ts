// Teams: budgets and limits, spend against budget this period, create, change, delete.
import type { Spend, Team } from './admin-api.js';
import { clear, field, formatDate, h } from './dom.js';
import { parseModelList } from './fallback-map.js';
import { BUDGET_PERIODS, budgetUsed, describeLimits, formatUsd, teamPolicyOf } from './team-form.js';
import type { View, ViewContext } from './view-context.js';

export function createTeamsView(ctx: ViewContext): View & { onChange?: () => void } {
  let teams: Array<{ team: Team; spend: Spend | undefined }> = [];
  let editing: Team | undefined;
  const body = h('tbody');
  const empty = h('p', { class: 'empty', hidden: true }, 'No teams yet.');
  const heading = h('h3', { id: 'team-form-heading' }, 'Create a team');
  const name = h('input', { type: 'text', required: true, autocomplete: 'off', spellcheck: 'false' });
  const models = h('input', { type: 'text', autocomplete: 'off', spellcheck: 'false' });
  const budget = h('input', { type: 'number', min: '0', step: 'any', inputmode: 'decimal' });
  const period = h('select', {}, ...BUDGET_PERIODS.map((p) => h('option', { value: p, selected: p === 'month' }, p)));
  const rpm = h('input', { type: 'number', min: '0', step: '1', inputmode: 'numeric' });
  const tpm = h('input', { type: 'number', min: '0', step: '1', inputmode: 'numeric' });
  const concurrent = h('input', { type: 'number', min: '0', step: '1', inputmode: 'numeric' });
  const submit = h('button', { type: 'submit' }, 'Create team');
  const cancel = h('button', { type: 'button', hidden: true }, 'Cancel');
  const form = h(
    'form',
    { class: 'stacked-form', 'aria-labelledby': 'team-form-heading' },
    heading,
    field('Team name', name),
    field('Team allowed models', models, "Optional, comma separated; empty allows every model (a key's own list narrows it)."),
    field('Budget (USD)', budget, 'Optional; requests are refused once spend and requests in flight would pass it.'),
    field('Budget period', period, 'UTC calendar day, week from Monday, calendar month, or total (never resets).'),
    field('Requests per minute', rpm, 'Optional; empty or 0 is no limit.'),
    field('Tokens per minute', tpm, 'Input + output tokens.'),
    field('Concurrent requests', concurrent),
    h('div', { class: 'buttons' }, submit, cancel),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void save();
  });
  cancel.addEventListener('click', () => stopEditing());

  const view: View & { onChange?: () => void } = {
    element: h(
      'section',
      { class: 'panel', id: 'teams', 'aria-labelledby': 'teams-heading' },
      h('h2', { id: 'teams-heading' }, 'Teams'),
      h('p', { class: 'hint' }, 'A team owns gateway API keys; its budget and limits hold across every ingress replica.'),
      h(
        'table',
        {},
        h('caption', { class: 'visually-hidden' }, 'Teams'),
        h('thead', {}, h('tr', {}, ...['Name', 'Id', 'Budget', 'Spent this period', 'Limits', 'Models', 'Actions'].map((t) => h('th', { scope: 'col' }, t)))),
        body,
      ),
      empty,
      form,
    ),
    refresh: async () => {
      const listed = (await ctx.api.listTeams()).sort((a, b) => a.name.localeCompare(b.name));
      teams = await Promise.all(listed.map(async (team) => ({ team, spend: await ctx.api.teamSpend(team.id).catch(() => undefined) })));
      render();
    },
  };

  function spendCell(spend: Spend | undefined): HTMLTableCellElement {
    if (!spend) return h('td', {}, '—');
    const used = budgetUsed(spend);
    const text = spend.budget === null ? formatUsd(spend.spentUsd) : `${formatUsd(spend.spentUsd)} of ${formatUsd(spend.budget)}`;
    const reserved = spend.reservedUsd > 0 ? ` (+${formatUsd(spend.reservedUsd)} in flight)` : '';
    return h(
      'td',
      { class: used !== undefined && used >= 0.8 ? 'warn' : undefined },
      used === undefined ? null : h('meter', { min: '0', max: '1', low: '0.8', high: '0.95', optimum: '0', value: String(used), 'aria-label': `${Math.round(used * 100)}% of the budget used` }),
      ` ${text}${reserved}`,
    );
  }

  function render(): void {
    clear(body);
    empty.hidden = teams.length > 0;
    for (const { team, spend } of teams) {
      const actions = h('td', { class: 'actions' });
      const edit = h('button', { type: 'button' }, 'Edit', h('span', { class: 'visually-hidden' }, ` team ${team.name}`));
      edit.addEventListener('click', () => startEditing(team));
      const showDelete = (): void => {
        clear(actions);
        const remove = h('button', { type: 'button', class: 'danger' }, 'Delete', h('span', { class: 'visually-hidden' }, ` team ${team.name}`));
        remove.addEventListener('click', () => {
          clear(actions);
          const yes = h('button', { type: 'button', class: 'danger' }, 'Yes, delete');
          const no = h('button', { type: 'button' }, 'Cancel');
          yes.addEventListener('click', () => void removeTeam(team));
          no.addEventListener('click', () => {
            showDelete();
            actions.querySelector('button')?.focus();
          });
          actions.append(h('span', { class: 'confirm', role: 'alert' }, `Delete team "${team.name}"?`), yes, no);
          no.focus();
        });
        actions.append(edit, remove);
      };
      showDelete();
      body.appendChild(
        h(
          'tr',
          { 'data-id': team.id },
          h('td', {}, team.name),
          h('td', { class: 'mono' }, team.id),
          h('td', {}, team.budget ? `${formatUsd(team.budget.amountUsd)} per ${team.budget.period}` : 'none'),
          spendCell(spend),
          h('td', {}, describeLimits(team.limits)),
          h('td', { title: formatDate(team.createdAt) }, team.allowedModels.length ? team.allowedModels.join(', ') : 'all'),
          actions,
        ),
      );
    }
  }

  function startEditing(team: Team): void {
    editing = team;
    heading.textContent = `Change team "${team.name}"`;
    submit.textContent = 'Save team';
    cancel.hidden = false;
    name.value = team.name;
    models.value = team.allowedModels.join(', ');
    budget.value = team.budget ? String(team.budget.amountUsd) : '';
    period.value = team.budget?.period ?? 'month';
    rpm.value = team.limits?.rpm ? String(team.limits.rpm) : '';
    tpm.value = team.limits?.tpm ? String(team.limits.tpm) : '';
    concurrent.value = team.limits?.concurrent ? String(team.limits.concurrent) : '';
    name.focus();
  }

  function stopEditing(): void {
    editing = undefined;
    heading.textContent = 'Create a team';
    submit.textContent = 'Create team';
    cancel.hidden = true;
    form.reset();
  }

  async function save(): Promise<void> {
    const teamName = name.value.trim();
    if (!teamName) return ctx.fail(new Error('Name the team first.'));
    const policy = teamPolicyOf({ budgetUsd: budget.value, period: period.value, rpm: rpm.value, tpm: tpm.value, concurrent: concurrent.value });
    if ('error' in policy) return ctx.fail(new Error(policy.error));
    const input = { name: teamName, allowedModels: parseModelList(models.value), budget: policy.budget, limits: policy.limits };
    try {
      if (editing) {
        await ctx.api.updateTeam(editing.id, input);
        ctx.notify(`Team "${teamName}" saved.`);
      } else {
        await ctx.api.createTeam(input);
        ctx.notify(`Team "${teamName}" created.`);
      }
      stopEditing();
      await view.refresh();
      view.onChange?.();
    } catch (error) {
      ctx.fail(error);
    }
  }

  async function removeTeam(team: Team): Promise<void> {
    try {
      await ctx.api.deleteTeam(team.id);
      ctx.notify(`Team "${team.name}" deleted.`);
      if (editing?.id === team.id) stopEditing();
      await view.refresh();
      view.onChange?.();
    } catch (error) {
      ctx.fail(error);
      render();
    }
  }

  return view;
}
