import { DEFAULT_MAX_RESPONSE_BYTES } from '@ai-gateway/provider-http';
import { COMMON_ENV, GRPC_SERVER_ENV, readEnv, type Environment } from '@ai-gateway/service-kit';

export const ADAPTER_ENV = {
  ...COMMON_ENV,
  ...GRPC_SERVER_ENV,
  GRPC_PORT: { type: 'port', default: 50061 },
  /** The largest unary answer read from the provider; a larger one is a malformed answer (DEFAULT_MAX_RESPONSE_BYTES says why 32 MiB). */
  MAX_RESPONSE_BYTES: { type: 'int', default: DEFAULT_MAX_RESPONSE_BYTES, min: 1024 },
} as const;

export const readAdapterEnv = (env: Environment) => readEnv(ADAPTER_ENV, env);
