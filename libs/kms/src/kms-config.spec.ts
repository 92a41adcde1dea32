import { join } from 'node:path';
import { AwsKmsBackend } from './aws-kms.backend';
import { createKmsBackend, LOCAL_KMS_DIR_NAME } from './kms-config';
import { KmsErrorCode } from './kms.errors';
import { LocalKmsBackend } from './local-kms.backend';

describe('createKmsBackend', () => {
  const dataDir = join('/var', 'lib', 'gateway');

  it('defaults to the local backend under GATEWAY_DATA_DIR/kms', () => {
    const backend = createKmsBackend({ GATEWAY_DATA_DIR: dataDir });

    expect(backend).toBeInstanceOf(LocalKmsBackend);
    expect(backend.name).toBe('local');
    expect(LOCAL_KMS_DIR_NAME).toBe('kms');
  });

  it('builds the aws backend from KMS_KEY_ID, AWS_REGION and AWS_ENDPOINT_URL_KMS', () => {
    const backend = createKmsBackend({
      KMS_PROVIDER: 'aws',
      KMS_KEY_ID: 'alias/gateway',
      AWS_REGION: 'eu-west-1',
      AWS_ENDPOINT_URL_KMS: 'http://127.0.0.1:4599',
      GATEWAY_DATA_DIR: dataDir,
    });

    expect(backend).toBeInstanceOf(AwsKmsBackend);
    expect(backend.keyId).toBe('alias/gateway');
  });

  it.each([
    [{ KMS_PROVIDER: 'aws', AWS_REGION: 'eu-west-1' }, /KMS_KEY_ID is required when KMS_PROVIDER=aws/],
    [{ KMS_PROVIDER: 'aws', KMS_KEY_ID: 'k' }, /AWS_REGION is required when KMS_PROVIDER=aws/],
    [{ KMS_PROVIDER: 'aws', KMS_KEY_ID: 'k', AWS_REGION: ' ' }, /AWS_REGION is required/],
    [{ KMS_PROVIDER: 'aws', KMS_KEY_ID: 'k', AWS_REGION: 'r', AWS_ENDPOINT_URL_KMS: 'nope' }, /AWS_ENDPOINT_URL_KMS/],
    [{ KMS_PROVIDER: 'vault' }, /KMS_PROVIDER must be "aws" or "local", got "vault"/],
  ])('rejects %p', (env, message) => {
    const attempt = () => createKmsBackend({ GATEWAY_DATA_DIR: dataDir, ...env });

    expect(attempt).toThrow(message);
    expect(attempt).toThrow(expect.objectContaining({ code: KmsErrorCode.ConfigInvalid }));
  });

  it('names GATEWAY_DATA_DIR when the local backend has nowhere to keep its key', () => {
    expect(() => createKmsBackend({ GATEWAY_DATA_DIR: '' })).toThrow(/GATEWAY_DATA_DIR is required/);
  });
});
