/** How an azure-openai provider key authenticates (CONTRACT.md: the api-key, or Entra ID client credentials as JSON). */
export type AzureCredential = { kind: 'api-key'; apiKey: string } | ({ kind: 'entra' } & EntraClientCredentials);

export interface EntraClientCredentials {
  tenantId: string;
  clientId: string;
  clientSecret: string;
}

/** A tenant is a GUID or a verified domain; it becomes a URL path segment, so nothing else is let through. */
const TENANT_ID = /^[A-Za-z0-9][A-Za-z0-9.-]{0,99}$/;
const MAX_FIELD_LENGTH = 1024;

/** The provider key is unusable as it stands: the operator must rotate it. The message never quotes the key. */
export class AzureCredentialError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AzureCredentialError';
  }
}

/**
 * Reads a provider key: a JSON object (first non-space character `{`) is Entra client
 * credentials and must hold the three string fields; anything else is an api-key.
 */
export function parseAzureCredential(key: string): AzureCredential {
  if (!key.trimStart().startsWith('{')) return { kind: 'api-key', apiKey: key.trim() };
  let parsed: unknown;
  try {
    parsed = JSON.parse(key);
  } catch {
    throw new AzureCredentialError('the provider key starts like JSON but is not valid JSON: expected {"tenantId","clientId","clientSecret"}');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new AzureCredentialError('the provider key is JSON but not an object: expected {"tenantId","clientId","clientSecret"}');
  }
  const fields = parsed as Record<string, unknown>;
  const missing = ['tenantId', 'clientId', 'clientSecret'].filter(
    (name) => typeof fields[name] !== 'string' || fields[name] === '' || (fields[name] as string).length > MAX_FIELD_LENGTH,
  );
  if (missing.length > 0) throw new AzureCredentialError(`the Entra ID provider key lacks a usable ${missing.join(', ')}`);
  const credentials = fields as unknown as EntraClientCredentials;
  if (!TENANT_ID.test(credentials.tenantId)) throw new AzureCredentialError('the Entra ID provider key has a tenantId that is neither a GUID nor a domain');
  return { kind: 'entra', tenantId: credentials.tenantId, clientId: credentials.clientId, clientSecret: credentials.clientSecret };
}
