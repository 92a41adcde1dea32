import {
  DecryptCommand,
  DescribeKeyCommand,
  GenerateDataKeyCommand,
  KMSClient,
  ReEncryptCommand,
  type KMSClientConfig,
} from '@aws-sdk/client-kms';
import { timingSafeEqual } from 'node:crypto';
import { toKmsError } from './aws-kms.errors';
import type { EncryptionContext, GeneratedDataKey, KmsBackend, ReEncryptedDataKey } from './kms-backend';
import { KmsError, KmsErrorCode } from './kms.errors';

export interface AwsKmsBackendOptions {
  /** Key id, key ARN, alias name or alias ARN. */
  keyId: string;
  /** Defaults to the SDK's chain (AWS_REGION, profile). */
  region?: string;
  /** Defaults to the SDK's resolution (AWS_ENDPOINT_URL_KMS, then the public endpoint). */
  endpoint?: string;
  /** Defaults to the SDK's standard credential chain. */
  credentials?: KMSClientConfig['credentials'];
  /** Attempts per call, first one included; the SDK default is 3. */
  maxAttempts?: number;
  /** Bounds both connecting and waiting for a response. */
  timeoutMs?: number;
}

export class AwsKmsBackend implements KmsBackend {
  readonly name = 'aws' as const;
  readonly keyId: string;
  private readonly client: KMSClient;

  constructor(options: AwsKmsBackendOptions) {
    this.keyId = options.keyId;
    this.client = new KMSClient({
      region: options.region,
      endpoint: options.endpoint,
      credentials: options.credentials,
      maxAttempts: options.maxAttempts,
      requestHandler:
        options.timeoutMs === undefined
          ? undefined
          : { connectionTimeout: options.timeoutMs, requestTimeout: options.timeoutMs },
    });
  }

  async generateDataKey(context: EncryptionContext): Promise<GeneratedDataKey> {
    const output = await this.send('GenerateDataKey', this.keyId, () =>
      this.client.send(new GenerateDataKeyCommand({ KeyId: this.keyId, KeySpec: 'AES_256', EncryptionContext: { ...context } })),
    );
    if (!output.Plaintext || !output.CiphertextBlob) throw incomplete('GenerateDataKey', this.keyId);
    return {
      plaintext: bufferView(output.Plaintext),
      ciphertext: Buffer.from(output.CiphertextBlob),
      keyId: output.KeyId ?? this.keyId,
    };
  }

  async decrypt(ciphertext: Buffer, context: EncryptionContext, keyId: string = this.keyId): Promise<Buffer> {
    const output = await this.send('Decrypt', keyId, () =>
      this.client.send(new DecryptCommand({ CiphertextBlob: ciphertext, EncryptionContext: { ...context }, KeyId: keyId })),
    );
    if (!output.Plaintext) throw incomplete('Decrypt', keyId);
    return bufferView(output.Plaintext);
  }

  async reEncrypt(
    ciphertext: Buffer,
    context: EncryptionContext,
    toKeyId: string,
    fromKeyId: string = this.keyId,
  ): Promise<ReEncryptedDataKey> {
    const output = await this.send(`ReEncrypt (from "${fromKeyId}")`, toKeyId, () =>
      this.client.send(
        new ReEncryptCommand({
          CiphertextBlob: ciphertext,
          SourceKeyId: fromKeyId,
          SourceEncryptionContext: { ...context },
          DestinationKeyId: toKeyId,
          DestinationEncryptionContext: { ...context },
        }),
      ),
    );
    if (!output.CiphertextBlob) throw incomplete('ReEncrypt', toKeyId);
    return { ciphertext: Buffer.from(output.CiphertextBlob), keyId: output.KeyId ?? toKeyId };
  }

  async checkUsable(): Promise<void> {
    const { KeyMetadata: metadata } = await this.send('DescribeKey', this.keyId, () =>
      this.client.send(new DescribeKeyCommand({ KeyId: this.keyId })),
    );
    if (!metadata) throw incomplete('DescribeKey', this.keyId);
    if (!metadata.Enabled || metadata.KeyState !== 'Enabled') {
      throw new KmsError(KmsErrorCode.KeyDisabled, `KMS key "${this.keyId}" is not usable: its state is ${metadata.KeyState ?? 'unknown'}`);
    }
    const spec = metadata.KeySpec ?? metadata.CustomerMasterKeySpec;
    if (spec !== 'SYMMETRIC_DEFAULT' || metadata.KeyUsage !== 'ENCRYPT_DECRYPT') {
      throw new KmsError(
        KmsErrorCode.KeyUnsuitable,
        `KMS key "${this.keyId}" is not usable for envelope encryption: it is ${spec ?? 'unknown spec'} / ${metadata.KeyUsage ?? 'unknown usage'}, ` +
          'expected SYMMETRIC_DEFAULT / ENCRYPT_DECRYPT',
      );
    }
    await this.roundTrip();
  }

  private async roundTrip(): Promise<void> {
    const probeContext = { purpose: 'ai-gateway-kms-check' };
    const generated = await this.generateDataKey(probeContext);
    try {
      const opened = await this.decrypt(generated.ciphertext, probeContext, generated.keyId);
      const matches = opened.length === generated.plaintext.length && timingSafeEqual(opened, generated.plaintext);
      opened.fill(0);
      if (!matches) {
        throw new KmsError(KmsErrorCode.Failure, `KMS key "${this.keyId}" did not return the data key it generated`);
      }
    } finally {
      generated.plaintext.fill(0);
    }
  }

  private async send<T>(operation: string, keyId: string, call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (error: unknown) {
      throw toKmsError(error, keyId, operation);
    }
  }
}

/** A Buffer over the SDK's bytes (not a copy), so zeroing it erases the only plaintext. */
function bufferView(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

function incomplete(operation: string, keyId: string): KmsError {
  return new KmsError(KmsErrorCode.Failure, `KMS ${operation} with key "${keyId}" returned an incomplete response`);
}
