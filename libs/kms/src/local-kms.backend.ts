import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { EncryptionContext, GeneratedDataKey, KmsBackend, ReEncryptedDataKey } from './kms-backend';
import { KmsError, KmsErrorCode } from './kms.errors';
import { loadOrCreateMasterKey } from './local-master-key';
import { unwrapDataKey, wrapDataKey } from './local-wrapped-key';

export const LOCAL_KMS_KEY_ID = 'local-master';

const DATA_KEY_BYTES = 32;

export interface LocalKmsBackendOptions {
  /** Directory holding `master.key`; created (mode 0700) when missing. */
  dataDir: string;
}

/** Development backend: data keys wrapped with AES-256-GCM under one master key kept in a 0600 file. */
export class LocalKmsBackend implements KmsBackend {
  readonly name = 'local' as const;
  readonly keyId = LOCAL_KMS_KEY_ID;
  private masterKey?: Promise<Buffer>;

  constructor(private readonly options: LocalKmsBackendOptions) {}

  async generateDataKey(context: EncryptionContext): Promise<GeneratedDataKey> {
    const masterKey = await this.loadMasterKey();
    const plaintext = randomBytes(DATA_KEY_BYTES);
    return { plaintext, ciphertext: wrapDataKey(masterKey, plaintext, context), keyId: this.keyId };
  }

  async decrypt(ciphertext: Buffer, context: EncryptionContext, keyId: string = this.keyId): Promise<Buffer> {
    this.assertOwnKey(keyId, 'decrypt');
    return unwrapDataKey(await this.loadMasterKey(), ciphertext, context, this.keyId);
  }

  async reEncrypt(
    ciphertext: Buffer,
    context: EncryptionContext,
    toKeyId: string,
    fromKeyId: string = this.keyId,
  ): Promise<ReEncryptedDataKey> {
    this.assertOwnKey(fromKeyId, 'decrypt');
    if (toKeyId !== this.keyId) {
      throw new KmsError(
        KmsErrorCode.Unsupported,
        `The local KMS backend has one master key ("${this.keyId}"); it cannot re-encrypt to "${toKeyId}". Use KMS_PROVIDER=aws for key moves.`,
      );
    }
    const masterKey = await this.loadMasterKey();
    const dataKey = unwrapDataKey(masterKey, ciphertext, context, this.keyId);
    try {
      return { ciphertext: wrapDataKey(masterKey, dataKey, context), keyId: this.keyId };
    } finally {
      dataKey.fill(0);
    }
  }

  async checkUsable(): Promise<void> {
    const probeContext = { purpose: 'ai-gateway-kms-check' };
    const generated = await this.generateDataKey(probeContext);
    const opened = await this.decrypt(generated.ciphertext, probeContext);
    const matches = timingSafeEqual(generated.plaintext, opened);
    generated.plaintext.fill(0);
    opened.fill(0);
    if (!matches) {
      throw new KmsError(KmsErrorCode.Failure, `Local KMS key "${this.keyId}" did not return the data key it generated`);
    }
  }

  private loadMasterKey(): Promise<Buffer> {
    this.masterKey ??= loadOrCreateMasterKey(this.options.dataDir).catch((error: unknown) => {
      this.masterKey = undefined;
      throw error;
    });
    return this.masterKey;
  }

  private assertOwnKey(keyId: string, operation: string): void {
    if (keyId !== this.keyId) {
      throw new KmsError(
        KmsErrorCode.KeyNotFound,
        `The local KMS backend cannot ${operation} with key "${keyId}": its only key is "${this.keyId}"`,
      );
    }
  }
}
