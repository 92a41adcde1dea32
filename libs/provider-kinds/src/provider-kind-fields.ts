/**
 * The provider kinds of the admin API and the kind fields each takes (CONTRACT.md, provider
 * kinds): one description that config validates against, ingress reads request bodies and shows
 * providers by, and the dashboard's spec holds its forms to.
 */

/** Kind fields holding one string. */
export const STRING_SETTINGS = ['project', 'location', 'region', 'apiVersion'] as const;
/** Kind fields holding an object of strings. */
export const MAP_SETTINGS = ['headers', 'deployments'] as const;
/** `compatibility` (kind openai): what an OpenAI-compatible server lacks, as ProviderSettings' switches. */
export const COMPATIBILITY_SWITCHES = ['omitStreamOptions', 'omitParallelToolCalls', 'noStreamUsage'] as const;

export type SettingsField = (typeof STRING_SETTINGS)[number] | (typeof MAP_SETTINGS)[number] | 'compatibility' | 'keySelection';

export const SETTINGS_FIELDS: readonly SettingsField[] = ['headers', 'project', 'location', 'region', 'apiVersion', 'deployments', 'compatibility', 'keySelection'];

export interface KindFields {
  readonly allowed: readonly SettingsField[];
  readonly required: readonly SettingsField[];
}

/** Which kind fields each kind takes, and which of them it requires; every kind also takes `keySelection`. */
export const KIND_FIELDS: Readonly<Record<string, KindFields>> = {
  openai: { allowed: ['headers', 'compatibility'], required: [] },
  anthropic: { allowed: [], required: [] },
  gemini: { allowed: [], required: [] },
  vertex: { allowed: ['project', 'location'], required: ['project', 'location'] },
  bedrock: { allowed: ['region'], required: ['region'] },
  'azure-openai': { allowed: ['apiVersion', 'deployments'], required: [] },
};

export const PROVIDER_KINDS: readonly string[] = Object.keys(KIND_FIELDS);
