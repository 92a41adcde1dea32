import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { contextAad } from './encryption-context';
import type { EncryptionContext, KmsBackend } from './kms-backend';
import { KmsError, KmsErrorCode } from './kms.errors';
import {
  SEALED_SECRET_IV_BYTES,
  SEALED_SECRET_TAG_BYTES,
  assertSealedSecret,
  type SealedSecret,
  type SecretContext,
} from './sealed-secret';

const CIPHER = 'aes-256-gcm';

/** Seals a secret under a fresh KMS data key; the plaintext data key is zeroed before returning. */
export async function sealSecret(backend: KmsBackend, secret: string, context: SecretContext): Promise<SealedSecret> {
  const boundContext: SecretContext = { provider: context.provider, keyId: context.keyId };
  const dataKey = await backend.generateDataKey(boundContext);
  const plaintext = Buffer.from(secret, 'utf8');
  try {
    const iv = randomBytes(SEALED_SECRET_IV_BYTES);
    const cipher = createCipheriv(CIPHER, dataKey.plaintext, iv, { authTagLength: SEALED_SECRET_TAG_BYTES });
    cipher.setAAD(contextAad(boundContext));
    const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
    return {
      v: 1,
      alg: 'AES-256-GCM',
      kmsBackend: backend.name,
      kmsKeyId: dataKey.keyId,
      encryptedDataKey: dataKey.ciphertext.toString('base64'),
      iv: iv.toString('base64'),
      tag: cipher.getAuthTag().toString('base64'),
      ciphertext: ciphertext.toString('base64'),
      context: boundContext,
    };
  } finally {
    dataKey.plaintext.fill(0);
    plaintext.fill(0);
  }
}

/** Opens a sealed secret; a record whose context, iv, tag or ciphertext changed is refused. */
export async function openSecret(backend: KmsBackend, sealed: SealedSecret): Promise<string> {
  assertOpenableBy(backend, sealed);
  const context = kmsContext(sealed);
  const iv = decodeExact(sealed.iv, SEALED_SECRET_IV_BYTES, 'iv');
  const tag = decodeExact(sealed.tag, SEALED_SECRET_TAG_BYTES, 'tag');
  const dataKey = await backend.decrypt(Buffer.from(sealed.encryptedDataKey, 'base64'), context, sealed.kmsKeyId);
  try {
    return decryptWithDataKey(dataKey, iv, tag, Buffer.from(sealed.ciphertext, 'base64'), context);
  } finally {
    dataKey.fill(0);
  }
}

function decryptWithDataKey(dataKey: Buffer, iv: Buffer, tag: Buffer, ciphertext: Buffer, context: EncryptionContext): string {
  const decipher = createDecipheriv(CIPHER, dataKey, iv, { authTagLength: SEALED_SECRET_TAG_BYTES });
  decipher.setAAD(contextAad(context));
  decipher.setAuthTag(tag);
  const unauthenticated = decipher.update(ciphertext);
  try {
    const rest = decipher.final();
    const plaintext = Buffer.concat([unauthenticated, rest]);
    rest.fill(0);
    const secret = plaintext.toString('utf8');
    plaintext.fill(0);
    return secret;
  } catch {
    throw new KmsError(
      KmsErrorCode.SealedSecretTampered,
      'Sealed secret failed authentication: its ciphertext, iv, tag or context was altered',
    );
  } finally {
    unauthenticated.fill(0);
  }
}

/** Moves the data key under another KMS key (ReEncrypt); the secret itself is never decrypted. */
export async function rewrapSecret(backend: KmsBackend, sealed: SealedSecret, toKmsKeyId: string): Promise<SealedSecret> {
  assertOpenableBy(backend, sealed);
  const moved = await backend.reEncrypt(
    Buffer.from(sealed.encryptedDataKey, 'base64'),
    kmsContext(sealed),
    toKmsKeyId,
    sealed.kmsKeyId,
  );
  return { ...sealed, context: { ...sealed.context }, kmsKeyId: moved.keyId, encryptedDataKey: moved.ciphertext.toString('base64') };
}

function assertOpenableBy(backend: KmsBackend, sealed: SealedSecret): void {
  assertSealedSecret(sealed);
  if (sealed.kmsBackend !== backend.name) {
    throw new KmsError(
      KmsErrorCode.Unsupported,
      `Sealed secret was sealed by the "${sealed.kmsBackend}" KMS backend, not "${backend.name}"`,
    );
  }
}

function kmsContext(sealed: SealedSecret): EncryptionContext {
  return { provider: sealed.context.provider, keyId: sealed.context.keyId };
}

function decodeExact(base64: string, bytes: number, field: string): Buffer {
  const decoded = Buffer.from(base64, 'base64');
  if (decoded.length !== bytes) {
    throw new KmsError(KmsErrorCode.SealedSecretInvalid, `Sealed secret record is invalid: "${field}" must decode to ${bytes} bytes`);
  }
  return decoded;
}
