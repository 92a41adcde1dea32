import { COMMON_ENV, GRPC_SERVER_ENV, readEnv, type Environment } from '@ai-gateway/service-kit';

export const ADAPTER_ENV = {
  ...COMMON_ENV,
  ...GRPC_SERVER_ENV,
  GRPC_PORT: { type: 'port', default: 50061 },
} as const;

export const readAdapterEnv = (env: Environment) => readEnv(ADAPTER_ENV, env);
