import { join } from 'node:path';
import { AwsKmsBackend, type AwsKmsBackendOptions } from './aws-kms.backend';
import type { KmsBackend } from './kms-backend';
import { KmsError, KmsErrorCode } from './kms.errors';
import { LocalKmsBackend } from './local-kms.backend';

export interface KmsEnv {
  KMS_PROVIDER?: string;
  KMS_KEY_ID?: string;
  AWS_REGION?: string;
  AWS_ENDPOINT_URL_KMS?: string;
  /** Static credentials when given; otherwise the SDK's standard chain (IRSA, instance role, profile). */
  AWS_ACCESS_KEY_ID?: string;
  AWS_SECRET_ACCESS_KEY?: string;
  AWS_SESSION_TOKEN?: string;
  GATEWAY_DATA_DIR: string;
}

/** The local backend keeps its master key in this folder of GATEWAY_DATA_DIR. */
export const LOCAL_KMS_DIR_NAME = 'kms';

/** Validates the KMS variables once and builds the backend; a bad variable is named in the error. */
export function createKmsBackend(env: KmsEnv): KmsBackend {
  const provider = present(env.KMS_PROVIDER) ?? 'local';
  switch (provider) {
    case 'local':
      return new LocalKmsBackend({ dataDir: join(required(env, 'GATEWAY_DATA_DIR', 'local'), LOCAL_KMS_DIR_NAME) });
    case 'aws':
      return new AwsKmsBackend({
        keyId: required(env, 'KMS_KEY_ID', 'aws'),
        region: required(env, 'AWS_REGION', 'aws'),
        endpoint: endpointUrl(env.AWS_ENDPOINT_URL_KMS),
        credentials: staticCredentials(env),
      });
    default:
      throw configError(`KMS_PROVIDER must be "aws" or "local", got "${provider}"`);
  }
}

function staticCredentials(env: KmsEnv): AwsKmsBackendOptions['credentials'] {
  const accessKeyId = present(env.AWS_ACCESS_KEY_ID);
  const secretAccessKey = present(env.AWS_SECRET_ACCESS_KEY);
  if (!accessKeyId && !secretAccessKey) return undefined;
  if (!accessKeyId || !secretAccessKey) throw configError('AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY must be set together');
  return { accessKeyId, secretAccessKey, sessionToken: present(env.AWS_SESSION_TOKEN) };
}

function required(env: KmsEnv, name: keyof KmsEnv, provider: string): string {
  const value = present(env[name]);
  if (!value) throw configError(`${name} is required when KMS_PROVIDER=${provider}`);
  return value;
}

function endpointUrl(value: string | undefined): string | undefined {
  const endpoint = present(value);
  if (!endpoint) return undefined;
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    throw configError('AWS_ENDPOINT_URL_KMS must be an absolute http(s) URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw configError('AWS_ENDPOINT_URL_KMS must be an absolute http(s) URL');
  }
  return endpoint;
}

function present(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed ? trimmed : undefined;
}

function configError(message: string): KmsError {
  return new KmsError(KmsErrorCode.ConfigInvalid, `Invalid KMS configuration: ${message}`);
}
