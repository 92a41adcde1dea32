import type { KmsBackendName } from './kms-backend';
import { KmsError, KmsErrorCode } from './kms.errors';

/** Names the stored record a secret belongs to; bound in KMS and as GCM additional data. */
export type SecretContext = {
  provider: string;
  keyId: string;
};

/** What is stored for a sealed secret: no plaintext, no plaintext data key. Binary fields are base64. */
export interface SealedSecret {
  v: 1;
  alg: 'AES-256-GCM';
  kmsBackend: KmsBackendName;
  kmsKeyId: string;
  encryptedDataKey: string;
  iv: string;
  tag: string;
  ciphertext: string;
  context: SecretContext;
}

export const SEALED_SECRET_IV_BYTES = 12;
export const SEALED_SECRET_TAG_BYTES = 16;

/** Checks a record read from storage; the message names the first bad field, never its value. */
export function assertSealedSecret(value: unknown): asserts value is SealedSecret {
  const problem = findProblem(value);
  if (problem) throw new KmsError(KmsErrorCode.SealedSecretInvalid, `Sealed secret record is invalid: ${problem}`);
}

function findProblem(value: unknown): string | undefined {
  if (!isRecord(value)) return 'not an object';
  if (value['v'] !== 1) return 'unsupported version "v"';
  if (value['alg'] !== 'AES-256-GCM') return 'unsupported "alg"';
  if (value['kmsBackend'] !== 'aws' && value['kmsBackend'] !== 'local') return 'unknown "kmsBackend"';
  for (const field of ['kmsKeyId', 'encryptedDataKey', 'iv', 'tag', 'ciphertext'] as const) {
    if (typeof value[field] !== 'string' || value[field] === '') return `"${field}" must be a non-empty string`;
  }
  const context = value['context'];
  if (!isRecord(context) || Object.keys(context).length !== 2) return '"context" must hold exactly provider and keyId';
  if (typeof context['provider'] !== 'string' || typeof context['keyId'] !== 'string') {
    return '"context.provider" and "context.keyId" must be strings';
  }
  return undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
