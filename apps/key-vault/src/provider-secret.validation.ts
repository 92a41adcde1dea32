import { KeyValidationError } from './key-validation.error';

/** A credential document (a Vertex service-account JSON, AWS or Entra credentials) is larger than an API key. */
const MAX_JSON_CREDENTIAL_LENGTH = 16_384;

export function validateProviderSecret(secret: string): void {
  if (typeof secret === 'string' && secret.trimStart().startsWith('{')) return validateJsonCredential(secret);
  if (typeof secret !== 'string' || secret.trim().length < 8 || secret.length > 4096 || /\s/.test(secret)) {
    throw new KeyValidationError('"key" must be 8 to 4096 characters without whitespace, or a credential JSON object');
  }
}

function validateJsonCredential(secret: string): void {
  if (secret.length > MAX_JSON_CREDENTIAL_LENGTH) throw new KeyValidationError(`a credential JSON must be at most ${MAX_JSON_CREDENTIAL_LENGTH} characters`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(secret);
  } catch {
    // Never echo the text: it is a secret.
    throw new KeyValidationError('"key" starts with "{" but is not valid JSON');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed) || Object.keys(parsed).length === 0) {
    throw new KeyValidationError('a credential JSON must be a non-empty object');
  }
}
