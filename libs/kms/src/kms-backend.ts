/** Non-secret key/value pairs bound to a ciphertext; KMS requires the exact same pairs to decrypt. */
export type EncryptionContext = Readonly<Record<string, string>>;

export type KmsBackendName = 'aws' | 'local';

export interface GeneratedDataKey {
  /** The caller zeroes this buffer (`fill(0)`) as soon as it is done with it. */
  plaintext: Buffer;
  ciphertext: Buffer;
  /** The KMS key that encrypted the data key (for AWS, its ARN). */
  keyId: string;
}

export interface ReEncryptedDataKey {
  ciphertext: Buffer;
  keyId: string;
}

export interface KmsBackend {
  readonly name: KmsBackendName;
  readonly keyId: string;
  generateDataKey(context: EncryptionContext): Promise<GeneratedDataKey>;
  /** `keyId` defaults to the backend's own key; pass the key recorded beside the ciphertext. */
  decrypt(ciphertext: Buffer, context: EncryptionContext, keyId?: string): Promise<Buffer>;
  reEncrypt(
    ciphertext: Buffer,
    context: EncryptionContext,
    toKeyId: string,
    fromKeyId?: string,
  ): Promise<ReEncryptedDataKey>;
  /** Resolves when the key can seal and open; otherwise throws a KmsError saying why. */
  checkUsable(): Promise<void>;
}
