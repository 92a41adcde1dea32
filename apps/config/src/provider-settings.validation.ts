import type { ProviderSettings } from '@ai-gateway/proto';
import { COMPATIBILITY_SWITCHES, KIND_FIELDS, MAP_SETTINGS, PROVIDER_KINDS, SETTINGS_FIELDS, STRING_SETTINGS, type SettingsField } from '@ai-gateway/provider-kinds';
import { KEY_SELECTIONS } from '@ai-gateway/routing';

export { PROVIDER_KINDS };

const MAX_MAP_ENTRIES = 64;
const MAX_VALUE_LENGTH = 256;
const HEADER_NAME = /^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,64}$/;
/** Headers a provider setting may not set: credentials (they live sealed in key-vault) and what HTTP itself owns. */
const RESERVED_HEADERS = new Set([
  'authorization',
  'proxy-authorization',
  'api-key',
  'x-api-key',
  'x-goog-api-key',
  'cookie',
  'host',
  'content-length',
  'content-type',
  'transfer-encoding',
  'connection',
  'upgrade',
  'te',
  'trailer',
  'keep-alive',
  'expect',
]);
const PROJECT_ID = /^[a-z][a-z0-9-]{4,28}[a-z0-9]$/;
const LOCATION = /^(global|[a-z]+-[a-z]+[0-9]+)$/;
const AWS_REGION = /^[a-z]{2}(-gov|-iso[a-z]*)?-[a-z]+-[0-9]$/;
const API_VERSION = /^(v1|preview|[0-9]{4}-[0-9]{2}-[0-9]{2}(-preview)?)$/;
const DEPLOYMENT_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;
/** Printable ASCII without control characters: a header value must not split the request. */
const HEADER_VALUE = /^[\x20-\x7e]*$/;

export class ProviderSettingsError extends Error {
  constructor(
    readonly param: string,
    message: string,
  ) {
    super(message);
  }
}


/** The kind fields a change names, with their new values. */
export interface SettingsUpdate {
  readonly fields: readonly string[];
  readonly values: ProviderSettings | undefined;
}

/**
 * The provider's kind fields after a change, checked: only the kind's own fields, the required
 * ones present, every value in its shape and bounds. The update replaces the fields it names.
 */
export function validateProviderSettings(kind: string, current: ProviderSettings | undefined, update: SettingsUpdate): ProviderSettings {
  const kindFields = KIND_FIELDS[kind];
  // Every kind takes `keySelection`: how the router picks among the provider's keys.
  const fields = kindFields && { allowed: [...kindFields.allowed, 'keySelection' as const], required: kindFields.required };
  if (!fields) throw new ProviderSettingsError('kind', `unknown provider kind "${kind}" (known: ${PROVIDER_KINDS.join(', ')})`);
  const merged = merge(current ?? emptySettings(), update);
  for (const field of presentFields(merged)) {
    if (!fields.allowed.includes(field)) {
      throw new ProviderSettingsError(field, `"${field}" is not a field of provider kind "${kind}" (its fields: ${fields.allowed.join(', ') || 'none'})`);
    }
  }
  for (const field of fields.required) {
    if (!presentFields(merged).includes(field)) throw new ProviderSettingsError(field, `provider kind "${kind}" requires "${field}"`);
  }
  checkHeaders(merged.headers);
  checkPattern('project', merged.project, PROJECT_ID, 'a Google Cloud project id');
  checkPattern('location', merged.location, LOCATION, '"global" or a region such as us-central1');
  checkPattern('region', merged.region, AWS_REGION, 'an AWS region such as us-east-1');
  checkPattern('apiVersion', merged.apiVersion, API_VERSION, '"v1", "preview" or a date such as 2024-10-21');
  checkDeployments(merged.deployments);
  if (merged.keySelection && !(KEY_SELECTIONS as readonly string[]).includes(merged.keySelection)) {
    throw new ProviderSettingsError('keySelection', `"keySelection" must be one of ${KEY_SELECTIONS.join(', ')}`);
  }
  return normalised(merged);
}

export function emptySettings(): ProviderSettings {
  return { headers: {}, project: '', location: '', region: '', apiVersion: '', deployments: {} };
}

function merge(current: ProviderSettings, update: SettingsUpdate): ProviderSettings {
  const merged: ProviderSettings = { ...emptySettings(), ...current };
  const values = update.values ?? emptySettings();
  for (const field of update.fields) {
    if (!(SETTINGS_FIELDS as readonly string[]).includes(field)) throw new ProviderSettingsError(field, `"${field}" is not a provider field`);
    if (field === 'compatibility') {
      for (const name of COMPATIBILITY_SWITCHES) merged[name] = values[name] === true ? true : undefined;
      continue;
    }
    if (field === 'keySelection') {
      merged.keySelection = values.keySelection || undefined;
      continue;
    }
    (merged as unknown as Record<string, unknown>)[field] = values[field as Exclude<SettingsField, 'compatibility' | 'keySelection'>] ?? emptySettings()[field as Exclude<SettingsField, 'compatibility' | 'keySelection'>];
  }
  return merged;
}

function presentFields(settings: ProviderSettings): SettingsField[] {
  const present: SettingsField[] = [];
  for (const field of MAP_SETTINGS) if (Object.keys(settings[field] ?? {}).length > 0) present.push(field);
  if (COMPATIBILITY_SWITCHES.some((name) => settings[name] === true)) present.push('compatibility');
  for (const field of STRING_SETTINGS) if (settings[field]) present.push(field);
  if (settings.keySelection) present.push('keySelection');
  return present;
}

function checkHeaders(headers: Record<string, string> | undefined): void {
  const entries = Object.entries(headers ?? {});
  if (entries.length > MAX_MAP_ENTRIES) throw new ProviderSettingsError('headers', `headers holds at most ${MAX_MAP_ENTRIES} entries`);
  const seen = new Set<string>();
  for (const [name, value] of entries) {
    if (!HEADER_NAME.test(name)) throw new ProviderSettingsError('headers', `header name "${name.slice(0, 64)}" is not a valid HTTP header name`);
    const lower = name.toLowerCase();
    if (RESERVED_HEADERS.has(lower)) {
      throw new ProviderSettingsError('headers', `header "${lower}" cannot be set here: credentials belong in provider keys, and HTTP framing is the gateway's`);
    }
    if (seen.has(lower)) throw new ProviderSettingsError('headers', `header "${lower}" is given twice`);
    seen.add(lower);
    if (typeof value !== 'string' || value.length > MAX_VALUE_LENGTH || !HEADER_VALUE.test(value)) {
      throw new ProviderSettingsError('headers', `header "${lower}" needs a printable value of at most ${MAX_VALUE_LENGTH} characters`);
    }
  }
}

function checkPattern(field: SettingsField, value: string | undefined, pattern: RegExp, expected: string): void {
  if (value && !pattern.test(value)) throw new ProviderSettingsError(field, `"${field}" must be ${expected}`);
}

function checkDeployments(deployments: Record<string, string> | undefined): void {
  const entries = Object.entries(deployments ?? {});
  if (entries.length > MAX_MAP_ENTRIES * 4) throw new ProviderSettingsError('deployments', `deployments holds at most ${MAX_MAP_ENTRIES * 4} entries`);
  for (const [model, deployment] of entries) {
    if (model.length === 0 || model.length > 200) throw new ProviderSettingsError('deployments', 'deployments: model names must be 1-200 characters');
    if (typeof deployment !== 'string' || !DEPLOYMENT_NAME.test(deployment)) {
      throw new ProviderSettingsError('deployments', `deployments: "${model.slice(0, 64)}" needs a deployment name of letters, digits, "_", "." or "-" (at most 64)`);
    }
  }
}

/** The stored form: header names lowercased, every field present. */
function normalised(settings: ProviderSettings): ProviderSettings {
  return {
    headers: Object.fromEntries(Object.entries(settings.headers ?? {}).map(([name, value]) => [name.toLowerCase(), value])),
    project: settings.project ?? '',
    location: settings.location ?? '',
    region: settings.region ?? '',
    apiVersion: settings.apiVersion ?? '',
    deployments: { ...(settings.deployments ?? {}) },
    ...Object.fromEntries(COMPATIBILITY_SWITCHES.filter((name) => settings[name] === true).map((name) => [name, true])),
    // round_robin is the default: stored as unset.
    ...(settings.keySelection && settings.keySelection !== 'round_robin' ? { keySelection: settings.keySelection } : {}),
  };
}
