import type { Provider, ProviderSettings } from '@ai-gateway/proto';
import { COMPATIBILITY_SWITCHES, MAP_SETTINGS, STRING_SETTINGS } from '@ai-gateway/provider-kinds';

export class ProviderFieldError extends Error {
  constructor(
    message: string,
    readonly param: string,
  ) {
    super(message);
  }
}

/**
 * The kind fields a PUT body names, as config's settings update: each named field replaces the
 * stored one (null or "" clears it), fields not named are kept. config checks which fields the
 * kind takes and their shapes.
 */
export function settingsUpdateOf(body: Record<string, unknown>): { settings: ProviderSettings; settingsFields: string[] } {
  const settings: ProviderSettings = { headers: {}, project: '', location: '', region: '', apiVersion: '', deployments: {} };
  const settingsFields: string[] = [];
  for (const field of STRING_SETTINGS) {
    if (!(field in body)) continue;
    const value = body[field];
    if (value !== null && typeof value !== 'string') throw new ProviderFieldError(`"${field}" must be a string`, field);
    settings[field] = value ?? '';
    settingsFields.push(field);
  }
  for (const field of MAP_SETTINGS) {
    if (!(field in body)) continue;
    const value = body[field];
    if (value !== null && (typeof value !== 'object' || Array.isArray(value) || Object.values(value).some((v) => typeof v !== 'string'))) {
      throw new ProviderFieldError(`"${field}" must be an object of strings`, field);
    }
    settings[field] = { ...((value as Record<string, string> | null) ?? {}) };
    settingsFields.push(field);
  }
  if ('compatibility' in body) {
    const value = body.compatibility;
    const known = (key: string): boolean => (COMPATIBILITY_SWITCHES as readonly string[]).includes(key);
    if (value !== null && (typeof value !== 'object' || Array.isArray(value) || Object.entries(value).some(([key, flag]) => !known(key) || typeof flag !== 'boolean'))) {
      throw new ProviderFieldError(`"compatibility" must be an object of booleans: ${COMPATIBILITY_SWITCHES.join(', ')}`, 'compatibility');
    }
    for (const name of COMPATIBILITY_SWITCHES) if ((value as Record<string, boolean> | null)?.[name] === true) settings[name] = true;
    settingsFields.push('compatibility');
  }
  if ('keySelection' in body) {
    const value = body.keySelection;
    if (value !== null && typeof value !== 'string') throw new ProviderFieldError('"keySelection" must be "round_robin" or "least_recently_limited"', 'keySelection');
    if (value) settings.keySelection = value;
    settingsFields.push('keySelection');
  }
  return { settings, settingsFields };
}

/** A provider as the admin API shows it: the common fields, then the kind fields that are set. */
export function providerView(provider: Provider): Record<string, unknown> {
  const view: Record<string, unknown> = {
    id: provider.id,
    kind: provider.kind,
    baseUrl: provider.baseUrl,
    enabled: provider.enabled,
    priority: provider.priority,
    models: provider.models,
  };
  const settings = provider.settings;
  if (!settings) return view;
  for (const field of STRING_SETTINGS) if (settings[field]) view[field] = settings[field];
  for (const field of MAP_SETTINGS) if (Object.keys(settings[field] ?? {}).length > 0) view[field] = { ...settings[field] };
  const switches = COMPATIBILITY_SWITCHES.filter((name) => settings[name] === true);
  if (switches.length > 0) view.compatibility = Object.fromEntries(switches.map((name) => [name, true]));
  if (settings.keySelection) view.keySelection = settings.keySelection;
  return view;
}
