import { COMMON_ENV, GRPC_SERVER_ENV, readEnv, type Environment } from '@ai-gateway/service-kit';

export const ANALYTICS_ENV = {
  ...COMMON_ENV,
  ...GRPC_SERVER_ENV,
  METRICS_PORT: { type: 'port', default: 9464 },
  GRPC_PORT: { type: 'port', default: 50055 },
  NATS_URL: { type: 'string', required: true },
  USAGE_STREAM_REPLICAS: { type: 'int', default: 1, min: 1, max: 5 },
  USAGE_STREAM_MAX_AGE_SECONDS: { type: 'int', default: 7 * 24 * 3600, min: 60 },
  USAGE_STREAM_MAX_BYTES: { type: 'int', default: 1024 * 1024 * 1024, min: 1024 * 1024 },
} as const;

export const readAnalyticsEnv = (env: Environment) => readEnv(ANALYTICS_ENV, env);
export type AnalyticsEnv = ReturnType<typeof readAnalyticsEnv>;
