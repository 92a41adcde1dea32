import type { ApiKey, Budget, Limits, ModelOverride, Provider, ProviderSettings, Team } from '@ai-gateway/proto';
import { COMPATIBILITY_SWITCHES } from '@ai-gateway/provider-kinds';
import { budgetProblem, limitsProblem } from './spend-policy.validation';

/** A provider as stored in the config bucket: the snapshot's fields but priority, and when it was created. */
export type StoredProvider = Omit<Provider, 'priority'> & { createdAt: string };

/**
 * A stored entry that does not have the shape its key's kind needs (written by hand, by another
 * tool or by a broken release). The message names the field, never a value: it is logged.
 */
export class EntryShapeError extends Error {}

/*
 * Each reader checks the shape a stored entry must have to be applied and to be encoded in every
 * snapshot (a wrong type there fails GetSnapshot for every router and ingress): required fields
 * present with their type, optional ones of their type or given their default (entries written by
 * an older release lack the newer fields). Values are not checked against today's write rules:
 * an entry accepted by an older release stays readable.
 */

export function readStoredProvider(id: string, value: unknown): StoredProvider {
  const entry = record(value, 'provider');
  return {
    id: sameId(entry, 'id', id),
    kind: text(entry, 'kind'),
    baseUrl: text(entry, 'baseUrl'),
    enabled: flag(entry, 'enabled'),
    models: texts(entry, 'models', []),
    settings: settings(entry.settings),
    createdAt: text(entry, 'createdAt'),
  };
}

/** Keys written before teams existed have no team, budget, limits or expiry. */
export function readStoredApiKey(id: string, value: unknown): ApiKey {
  const entry = record(value, 'API key');
  return {
    id: sameId(entry, 'id', id),
    name: text(entry, 'name', ''),
    keySha256: text(entry, 'keySha256'),
    allowedModels: texts(entry, 'allowedModels', []),
    createdAt: text(entry, 'createdAt', ''),
    teamId: text(entry, 'teamId', ''),
    budget: budget(entry.budget),
    limits: limits(entry.limits),
    expiresAt: text(entry, 'expiresAt', ''),
  };
}

export function readStoredTeam(id: string, value: unknown): Team {
  const entry = record(value, 'team');
  return {
    id: sameId(entry, 'id', id),
    name: text(entry, 'name'),
    allowedModels: texts(entry, 'allowedModels', []),
    budget: budget(entry.budget),
    limits: limits(entry.limits),
    createdAt: text(entry, 'createdAt', ''),
  };
}

export function readStoredModelOverride(name: string, value: unknown): ModelOverride {
  const entry = record(value, 'model override');
  const numbers: Partial<ModelOverride> = {};
  for (const field of ['inputUsdPerMTok', 'outputUsdPerMTok'] as const) {
    const number = entry[field];
    if (number === undefined) continue;
    if (typeof number !== 'number' || !Number.isFinite(number)) throw new EntryShapeError(`"${field}" must be a number`);
    numbers[field] = number;
  }
  for (const field of ['contextWindow', 'maxOutputTokens'] as const) {
    const number = entry[field];
    if (number === undefined) continue;
    if (!isInt32(number)) throw new EntryShapeError(`"${field}" must be a whole number`);
    numbers[field] = number;
  }
  return { name: sameId(entry, 'name', name), ...numbers, providers: texts(entry, 'providers'), updatedAt: text(entry, 'updatedAt', '') };
}

/** The provider order (routing.priority). */
export function readStoredPriority(value: unknown): string[] {
  if (!isTextList(value)) throw new EntryShapeError('the priority must be a list of provider ids');
  return value;
}

/** A map of strings (routing.error-actions); its values are checked by the caller. */
export function readStoredTextMap(value: unknown, what: string): Record<string, string> {
  const entry = record(value, what);
  if (!Object.values(entry).every((item) => typeof item === 'string')) throw new EntryShapeError(`every value of the ${what} must be a string`);
  return entry as Record<string, string>;
}

/** The fallback map (routing.fallbacks): lists of model names; its bounds and cycles are checked by the caller. */
export function readStoredFallbacks(value: unknown): Record<string, string[]> {
  const entry = record(value, 'fallback map');
  if (!Object.values(entry).every(isTextList)) throw new EntryShapeError('every fallback must be a list of model names');
  return entry as Record<string, string[]>;
}

function record(value: unknown, what: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new EntryShapeError(`a ${what} entry must be a JSON object`);
  return value as Record<string, unknown>;
}

/** The entry's own id, which must be the one its key names. */
function sameId(entry: Record<string, unknown>, field: string, id: string): string {
  if (entry[field] !== id) throw new EntryShapeError(`"${field}" must be the one the key names`);
  return id;
}

function text(entry: Record<string, unknown>, field: string, fallback?: string): string {
  const value = entry[field];
  if (value === undefined && fallback !== undefined) return fallback;
  if (typeof value !== 'string') throw new EntryShapeError(`"${field}" must be a string`);
  return value;
}

function flag(entry: Record<string, unknown>, field: string): boolean {
  const value = entry[field];
  if (typeof value !== 'boolean') throw new EntryShapeError(`"${field}" must be true or false`);
  return value;
}

function texts(entry: Record<string, unknown>, field: string, fallback?: string[]): string[] {
  const value = entry[field];
  if (value === undefined && fallback !== undefined) return fallback;
  if (!isTextList(value)) throw new EntryShapeError(`"${field}" must be a list of strings`);
  return value;
}

function isTextList(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((item) => typeof item === 'string');
}

function isInt32(value: unknown): value is number {
  return Number.isInteger(value) && (value as number) >= -(2 ** 31) && (value as number) < 2 ** 31;
}

function budget(value: unknown): Budget | undefined {
  if (value === undefined || value === null) return undefined;
  const entry = record(value, 'budget');
  if (budgetProblem(entry as unknown as Budget)) throw new EntryShapeError('"budget" must have an amountUsd and a known period');
  return { amountUsd: entry.amountUsd as number, period: entry.period as string };
}

function limits(value: unknown): Limits | undefined {
  if (value === undefined || value === null) return undefined;
  const entry = record(value, 'limits');
  if (limitsProblem(entry as unknown as Limits)) throw new EntryShapeError('"limits" must have whole numbers rpm, tpm and concurrent');
  return { rpm: entry.rpm as number, tpm: entry.tpm as number, concurrent: entry.concurrent as number };
}

const SETTINGS_TEXT = ['project', 'location', 'region', 'apiVersion'] as const;
const SETTINGS_MAPS = ['headers', 'deployments'] as const;

/** The provider's kind fields, each of its type; a provider stored before they existed has none. */
function settings(value: unknown): ProviderSettings {
  const out: ProviderSettings = { headers: {}, project: '', location: '', region: '', apiVersion: '', deployments: {} };
  if (value === undefined || value === null) return out;
  const entry = record(value, 'settings');
  for (const field of SETTINGS_TEXT) out[field] = text(entry, field, '');
  for (const field of SETTINGS_MAPS) {
    if (entry[field] === undefined) continue;
    const map = record(entry[field], `settings.${field}`);
    if (!Object.values(map).every((item) => typeof item === 'string')) throw new EntryShapeError(`"settings.${field}" must map names to strings`);
    out[field] = map as Record<string, string>;
  }
  for (const field of COMPATIBILITY_SWITCHES) {
    if (entry[field] === undefined) continue;
    if (typeof entry[field] !== 'boolean') throw new EntryShapeError(`"settings.${field}" must be true or false`);
    out[field] = entry[field];
  }
  if (entry.keySelection !== undefined) out.keySelection = text(entry, 'keySelection');
  return out;
}
