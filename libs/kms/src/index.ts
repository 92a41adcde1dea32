export type {
  EncryptionContext,
  GeneratedDataKey,
  KmsBackend,
  KmsBackendName,
  ReEncryptedDataKey,
} from './kms-backend';
export { KmsError, KmsErrorCode } from './kms.errors';
export { AwsKmsBackend, type AwsKmsBackendOptions } from './aws-kms.backend';
export { LocalKmsBackend, LOCAL_KMS_KEY_ID, type LocalKmsBackendOptions } from './local-kms.backend';
export { MASTER_KEY_FILE_NAME } from './local-master-key';
export { sealSecret, openSecret, rewrapSecret } from './envelope';
export { assertSealedSecret, type SealedSecret, type SecretContext } from './sealed-secret';
export { canonicalContextJson } from './encryption-context';
export { createKmsBackend, LOCAL_KMS_DIR_NAME, type KmsEnv } from './kms-config';
export { last4 } from './last4';
