import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { contextAad } from './encryption-context';
import type { EncryptionContext } from './kms-backend';
import { KmsError, KmsErrorCode } from './kms.errors';

/** Layout of a data key wrapped by the local backend: version | iv | tag | wrapped key. */
const FORMAT_VERSION = 1;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const DATA_KEY_BYTES = 32;
const HEADER_BYTES = 1 + IV_BYTES + TAG_BYTES;
export const WRAPPED_KEY_BYTES = HEADER_BYTES + DATA_KEY_BYTES;

export function wrapDataKey(masterKey: Buffer, dataKey: Buffer, context: EncryptionContext): Buffer {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', masterKey, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(contextAad(context));
  const wrapped = Buffer.concat([cipher.update(dataKey), cipher.final()]);
  return Buffer.concat([Buffer.from([FORMAT_VERSION]), iv, cipher.getAuthTag(), wrapped]);
}

export function unwrapDataKey(masterKey: Buffer, ciphertext: Buffer, context: EncryptionContext, keyId: string): Buffer {
  if (ciphertext.length !== WRAPPED_KEY_BYTES || ciphertext[0] !== FORMAT_VERSION) {
    throw new KmsError(
      KmsErrorCode.DecryptRefused,
      `Local KMS key "${keyId}" cannot decrypt this data key: unknown format (expected version ${FORMAT_VERSION}, ${WRAPPED_KEY_BYTES} bytes)`,
    );
  }
  const iv = ciphertext.subarray(1, 1 + IV_BYTES);
  const tag = ciphertext.subarray(1 + IV_BYTES, HEADER_BYTES);
  const decipher = createDecipheriv('aes-256-gcm', masterKey, iv, { authTagLength: TAG_BYTES });
  decipher.setAAD(contextAad(context));
  decipher.setAuthTag(tag);
  const first = decipher.update(ciphertext.subarray(HEADER_BYTES));
  try {
    const last = decipher.final();
    const dataKey = Buffer.concat([first, last]);
    last.fill(0);
    return dataKey;
  } catch {
    throw new KmsError(
      KmsErrorCode.DecryptRefused,
      `Local KMS key "${keyId}" refused to decrypt the data key: the encryption context does not match, ` +
        'the data key was altered, or it was wrapped under another master key',
    );
  } finally {
    first.fill(0);
  }
}
