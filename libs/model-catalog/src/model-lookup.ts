import type { CatalogModel } from './catalog-model.types';
import { MODEL_CATALOG } from './model-catalog.data';
import { ModelIndex } from './model-index';

export const DEFAULT_MODEL_INDEX = new ModelIndex(MODEL_CATALOG);

/** By canonical name, alias or provider model id; exact and case-sensitive. */
export function findModel(name: string, kind?: string): CatalogModel | undefined {
  return DEFAULT_MODEL_INDEX.find(name, kind);
}

export function modelsOfKind(kind: string): CatalogModel[] {
  return DEFAULT_MODEL_INDEX.ofKind(kind);
}
