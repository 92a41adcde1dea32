// Part of the Models panel: ask an OpenAI-compatible provider which models it serves (its
// GET /models, through the router, which holds its key), then add them to what it declares.
import { append, clear, field, h } from './dom.js';
import { discoverModels } from './models.api.js';
import type { ViewContext } from './view-context.js';

/** The provider kind whose servers answer OpenAI's GET /models (the admin API refuses the others). */
const DISCOVERABLE_KIND = 'openai';
/** Names shown at once; the rest is counted. */
const SHOWN_MODELS = 50;

export interface ModelDiscoveryView {
  element: HTMLElement;
  refresh(): Promise<void>;
  /** Called once models were added to a provider (the catalog rows change). */
  onApplied?: () => void;
}

export function createModelDiscoveryView(ctx: ViewContext): ModelDiscoveryView {
  const provider = h('select', {});
  const discover = h('button', { type: 'submit' }, 'Discover models');
  const result = h('div', { class: 'discovery-result', 'aria-live': 'polite' });
  const form = h(
    'form',
    { class: 'inline-form', 'aria-labelledby': 'model-discovery-heading' },
    field('Provider to ask', provider, 'OpenAI-compatible providers (kind openai): vLLM, Ollama, LiteLLM, Groq, ...'),
    discover,
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void run(provider.value);
  });

  const view: ModelDiscoveryView = {
    element: h('div', { class: 'model-discovery' }, h('h3', { id: 'model-discovery-heading' }, 'Discover models'), form, result),
    refresh: async () => {
      const chosen = provider.value;
      const ids = (await ctx.api.listProviders()).filter((p) => p.kind === DISCOVERABLE_KIND).map((p) => p.id);
      clear(provider);
      for (const id of ids) provider.appendChild(h('option', { value: id, selected: id === chosen }, id));
      discover.disabled = ids.length === 0;
    },
  };

  async function run(providerId: string): Promise<void> {
    if (!providerId) return;
    clear(result);
    try {
      const found = await discoverModels(ctx.api, providerId, false);
      const shown = found.models.slice(0, SHOWN_MODELS);
      const more = found.models.length - shown.length;
      const add = h('button', { type: 'button' }, `Add them to ${providerId}`);
      add.addEventListener('click', () => void apply(providerId));
      append(
        result,
        h('p', {}, `${providerId} serves ${found.models.length} model${found.models.length === 1 ? '' : 's'}${found.truncated ? ' (its list was cut)' : ''}:`),
        h('ul', { class: 'discovered-models' }, ...shown.map((model) => h('li', { class: 'mono' }, model))),
        more > 0 ? h('p', { class: 'hint' }, `and ${more} more.`) : null,
        found.models.length > 0 ? add : null,
      );
    } catch (error) {
      ctx.fail(error);
    }
  }

  async function apply(providerId: string): Promise<void> {
    try {
      const applied = await discoverModels(ctx.api, providerId, true);
      clear(result);
      ctx.notify(applied.added.length > 0 ? `Added ${applied.added.length} model${applied.added.length === 1 ? '' : 's'} to ${providerId}.` : `${providerId} already declares every model it lists.`);
      view.onApplied?.();
    } catch (error) {
      ctx.fail(error);
    }
  }

  return view;
}
