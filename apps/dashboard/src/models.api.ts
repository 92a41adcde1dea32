// The admin API's model catalog routes (GET|PUT|DELETE /admin/v1/models): the Models panel's calls.
import type { AdminApi } from './admin-api.js';
import type { ModelOverrideInput } from './model-form.js';

export interface CatalogPrices {
  inputUsdPerMTok: number;
  outputUsdPerMTok: number;
  contextWindow: number;
  maxOutputTokens: number;
}

/** One model of the effective catalog (built-in entries with the operator's overrides). */
export interface CatalogModel extends CatalogPrices {
  name: string;
  source: 'catalog' | 'override';
  kinds: string[];
  providers: string[];
  builtIn: CatalogPrices | null;
  override: (Partial<CatalogPrices> & { providers: string[]; updatedAt: string }) | null;
}

/** A name with `/` in it (`meta-llama/...`) travels as one path segment. */
const modelPath = (name: string): string => `/admin/v1/models/${encodeURIComponent(name)}`;

export function listModels(api: AdminApi): Promise<CatalogModel[]> {
  return api.request<CatalogModel[]>('GET', '/admin/v1/models');
}

export function putModelOverride(api: AdminApi, name: string, override: ModelOverrideInput): Promise<CatalogModel> {
  return api.request<CatalogModel>('PUT', modelPath(name), override);
}

export async function deleteModelOverride(api: AdminApi, name: string): Promise<void> {
  await api.request<undefined>('DELETE', modelPath(name));
}

/** POST /admin/v1/providers/{id}/discover-models: what an OpenAI-compatible provider lists, and with `apply` what was added. */
export interface DiscoveredModels {
  provider: string;
  models: string[];
  truncated: boolean;
  applied: boolean;
  added: string[];
}

export function discoverModels(api: AdminApi, providerId: string, apply: boolean): Promise<DiscoveredModels> {
  return api.request<DiscoveredModels>('POST', `/admin/v1/providers/${encodeURIComponent(providerId)}/discover-models`, { apply });
}
