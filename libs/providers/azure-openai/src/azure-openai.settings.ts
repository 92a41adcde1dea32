import type { ProviderTarget } from '@ai-gateway/proto';

/**
 * The Azure OpenAI surface a provider calls (PROVIDERS.md §5):
 * - `dated`: `{endpoint}/openai/deployments/{deployment}/{operation}?api-version=…`, the
 *   deployment in the path picks the model;
 * - `v1`: `{endpoint}/openai/v1/{operation}`, plain OpenAI shape, `model` = the deployment,
 *   no api-version.
 */
export type AzureSurface = { kind: 'dated'; apiVersion: string } | { kind: 'v1'; preview: boolean };

/**
 * The dated API version used when a provider names none: the last dated GA release (every
 * resource serves it; it has `stream_options`, `parallel_tool_calls`, `max_completion_tokens`).
 */
export const DEFAULT_AZURE_API_VERSION = '2024-10-21';

/** `apiVersion` that selects the v1 surface instead of a dated version. */
export const AZURE_V1_API_VERSION = 'v1';
/** `apiVersion` that selects the v1 surface's preview features (`/openai/v1/…?api-version=preview`). */
export const AZURE_V1_PREVIEW_API_VERSION = 'preview';

/**
 * What an azure-openai provider's settings say to the adapter (ProviderTarget.settings; empty
 * fields are unset). The deployments map is applied by the router's catalog, which sends the
 * deployment as the target's model; the adapter does not map again.
 */
export interface AzureOpenAiSettings {
  apiVersion?: string;
  /** Extra headers sent with every request (never the credential headers). */
  headers?: Record<string, string>;
}

/** Dated versions look like 2024-10-21 or 2025-04-01-preview; anything else is refused before it reaches a URL. */
const API_VERSION_SHAPE = /^\d{4}-\d{2}-\d{2}(-preview)?$/;

/** The target's Azure settings; missing or empty fields read as unset. */
export function azureSettingsOf(target: ProviderTarget): AzureOpenAiSettings {
  const settings = target.settings;
  if (!settings) return {};
  return { apiVersion: settings.apiVersion || undefined, headers: settings.headers ?? undefined };
}

/**
 * The surface the settings choose: `apiVersion: "v1"` → v1; `"preview"` → v1 with its preview
 * features; unset → the dated DEFAULT_AZURE_API_VERSION; else that dated version.
 */
export function azureSurfaceOf(settings: AzureOpenAiSettings): AzureSurface {
  const version = settings.apiVersion?.trim();
  if (!version) return { kind: 'dated', apiVersion: DEFAULT_AZURE_API_VERSION };
  if (version.toLowerCase() === AZURE_V1_API_VERSION) return { kind: 'v1', preview: false };
  if (version.toLowerCase() === AZURE_V1_PREVIEW_API_VERSION) return { kind: 'v1', preview: true };
  if (!API_VERSION_SHAPE.test(version)) throw new AzureSettingsError(`apiVersion "${version.slice(0, 40)}" is neither "v1", "preview" nor a dated version like ${DEFAULT_AZURE_API_VERSION}`);
  return { kind: 'dated', apiVersion: version };
}

/** A provider's settings cannot be used (the operator's mistake, not the client's). */
export class AzureSettingsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AzureSettingsError';
  }
}
