import { COMMON_ENV, GRPC_SERVER_ENV, readEnv, type Environment } from '@ai-gateway/service-kit';

export const KEY_VAULT_ENV = {
  ...COMMON_ENV,
  ...GRPC_SERVER_ENV,
  ADMIN_GRPC_PORT: { type: 'port', default: 50053 },
  RESOLVE_GRPC_PORT: { type: 'port', default: 50054 },
  NATS_URL: { type: 'string', required: true },
  KV_REPLICAS: { type: 'int', default: 1, min: 1, max: 5 },
  GATEWAY_DATA_DIR: { type: 'string', default: '.data' },
  KMS_PROVIDER: { type: 'enum', values: ['local', 'aws'], default: 'local' },
  KMS_KEY_ID: { type: 'string' },
  AWS_REGION: { type: 'string' },
  AWS_ENDPOINT_URL_KMS: { type: 'string' },
  AWS_ACCESS_KEY_ID: { type: 'string' },
  AWS_SECRET_ACCESS_KEY: { type: 'string' },
  AWS_SESSION_TOKEN: { type: 'string' },
  REVOCATION_TIMEOUT_MS: { type: 'int', default: 16000, min: 100, max: 60000 },
} as const;

export const readKeyVaultEnv = (env: Environment) => readEnv(KEY_VAULT_ENV, env);
export type KeyVaultEnv = ReturnType<typeof readKeyVaultEnv>;
