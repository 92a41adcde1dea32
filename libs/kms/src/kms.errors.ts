export const KmsErrorCode = {
  ConfigInvalid: 'KMS_CONFIG_INVALID',
  KeyNotFound: 'KMS_KEY_NOT_FOUND',
  KeyDisabled: 'KMS_KEY_DISABLED',
  KeyUnsuitable: 'KMS_KEY_UNSUITABLE',
  AccessDenied: 'KMS_ACCESS_DENIED',
  EndpointUnreachable: 'KMS_ENDPOINT_UNREACHABLE',
  DecryptRefused: 'KMS_DECRYPT_REFUSED',
  Unsupported: 'KMS_UNSUPPORTED',
  MasterKeyFileInsecure: 'KMS_MASTER_KEY_FILE_INSECURE',
  MasterKeyFileInvalid: 'KMS_MASTER_KEY_FILE_INVALID',
  SealedSecretInvalid: 'KMS_SEALED_SECRET_INVALID',
  SealedSecretTampered: 'KMS_SEALED_SECRET_TAMPERED',
  Failure: 'KMS_FAILURE',
} as const;

export type KmsErrorCode = (typeof KmsErrorCode)[keyof typeof KmsErrorCode];

/** Messages name keys, files and reasons; they never carry key material or secrets. */
export class KmsError extends Error {
  override readonly name = 'KmsError';

  constructor(
    readonly code: KmsErrorCode,
    message: string,
  ) {
    super(message);
  }
}
