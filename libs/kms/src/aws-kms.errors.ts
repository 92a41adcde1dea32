import { KmsError, KmsErrorCode } from './kms.errors';

const NOT_FOUND = new Set(['NotFoundException']);
const DISABLED = new Set(['DisabledException', 'KMSInvalidStateException', 'KeyUnavailableException']);
const ACCESS_DENIED = new Set([
  'AccessDeniedException',
  'UnrecognizedClientException',
  'InvalidSignatureException',
  'ExpiredTokenException',
  'CredentialsProviderError',
]);
const DECRYPT_REFUSED = new Set(['InvalidCiphertextException', 'IncorrectKeyException', 'InvalidKeyUsageException']);
const UNREACHABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ETIMEDOUT',
]);
const UNREACHABLE_NAMES = new Set(['TimeoutError', 'RequestTimeout', 'RequestTimeoutException']);

/**
 * Turns an SDK error into a KmsError naming the key, the operation and the reason.
 * SDK messages are never passed on: only the error's name and a known errno code are.
 */
export function toKmsError(error: unknown, keyId: string, operation: string): KmsError {
  if (error instanceof KmsError) return error;
  const name = stringField(error, 'name') ?? 'UnknownError';
  const code = stringField(error, 'code') ?? networkCodeIn(stringField(error, 'message'));
  const what = `KMS ${operation} with key "${keyId}" failed`;
  if (NOT_FOUND.has(name)) {
    return new KmsError(KmsErrorCode.KeyNotFound, `${what}: the key does not exist in this account and region (${name})`);
  }
  if (DISABLED.has(name)) {
    return new KmsError(KmsErrorCode.KeyDisabled, `${what}: the key is disabled or not in a usable state (${name})`);
  }
  if (ACCESS_DENIED.has(name)) {
    return new KmsError(KmsErrorCode.AccessDenied, `${what}: access denied; check the credentials and the key policy (${name})`);
  }
  if (DECRYPT_REFUSED.has(name)) {
    return new KmsError(
      KmsErrorCode.DecryptRefused,
      `${what}: KMS refused the ciphertext; the encryption context or key does not match, or the data was altered (${name})`,
    );
  }
  if ((code && UNREACHABLE_CODES.has(code)) || UNREACHABLE_NAMES.has(name)) {
    return new KmsError(KmsErrorCode.EndpointUnreachable, `${what}: the KMS endpoint is unreachable (${code ?? name})`);
  }
  return new KmsError(KmsErrorCode.Failure, `${what} (${code ?? name})`);
}

/** The SDK sometimes wraps a network error into a plain Error whose message alone names the errno code. */
function networkCodeIn(message: string | undefined): string | undefined {
  return message?.match(/\bE[A-Z_]+\b/g)?.find((candidate) => UNREACHABLE_CODES.has(candidate));
}

function stringField(error: unknown, field: 'name' | 'code' | 'message'): string | undefined {
  if (typeof error !== 'object' || error === null || !(field in error)) return undefined;
  const value: unknown = (error as Record<typeof field, unknown>)[field];
  return typeof value === 'string' ? value : undefined;
}
