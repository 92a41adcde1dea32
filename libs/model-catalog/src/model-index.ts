import type { CatalogModel } from './catalog-model.types';

/**
 * Name lookups over a model table. A name is a canonical name, an alias or a provider
 * model id, matched exactly (case-sensitive).
 */
export class ModelIndex {
  private readonly byName = new Map<string, CatalogModel[]>();
  private readonly byCanonicalName = new Map<string, CatalogModel[]>();

  constructor(readonly models: readonly CatalogModel[]) {
    for (const model of models) {
      append(this.byCanonicalName, model.canonicalName, model);
      for (const name of new Set([model.canonicalName, model.providerModelId, ...model.aliases])) {
        append(this.byName, name, model);
      }
    }
  }

  /**
   * Without a kind: the first entry that carries the name. With a kind: that kind's entry
   * carrying the name, else that kind's entry of the same canonical model (so Bedrock
   * serves `claude-3-5-sonnet-latest`).
   */
  find(name: string, kind?: string): CatalogModel | undefined {
    const direct = this.byName.get(name) ?? [];
    if (kind === undefined) return direct[0];
    const directOfKind = direct.find((model) => model.kind === kind);
    if (directOfKind) return directOfKind;
    const canonicalName = direct[0]?.canonicalName;
    if (canonicalName === undefined) return undefined;
    return this.byCanonicalName.get(canonicalName)?.find((model) => model.kind === kind);
  }

  /** Every kind's entry of the model carrying the name (empty when no entry carries it). */
  entriesOfModel(name: string): CatalogModel[] {
    const canonicalName = this.byName.get(name)?.[0]?.canonicalName;
    return canonicalName === undefined ? [] : [...(this.byCanonicalName.get(canonicalName) ?? [])];
  }

  knows(name: string): boolean {
    return this.byName.has(name);
  }

  ofKind(kind: string): CatalogModel[] {
    return this.models.filter((model) => model.kind === kind);
  }
}

function append(map: Map<string, CatalogModel[]>, key: string, model: CatalogModel): void {
  const list = map.get(key);
  if (list) list.push(model);
  else map.set(key, [model]);
}
