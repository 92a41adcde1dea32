import { DRAIN_ENV } from './drain';

/** Variables every service reads. */
export const COMMON_ENV = {
  ...DRAIN_ENV,
  LOG_LEVEL: { type: 'enum', values: ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], default: 'info' },
  LOG_FILE: { type: 'string' },
  METRICS_PORT: { type: 'port', default: 0 },
  BIND_HOST: { type: 'string', default: '0.0.0.0' },
} as const;

/** Variables of every gRPC server: whose credentials it accepts (service-credential.ts). */
export const GRPC_SERVER_ENV = {
  /** `identity:sha256hex` pairs, comma separated (an identity twice during a rotation). */
  SERVICE_CALLERS: { type: 'string', required: true },
} as const;

/** Variables of every gRPC client process (ingress, router): its own credential. */
export const GRPC_CLIENT_ENV = {
  SERVICE_CREDENTIAL: { type: 'string', required: true },
} as const;
