import { checkServiceCredential, COMMON_ENV, ConfigError, GRPC_CLIENT_ENV, readEnv, type Environment } from '@ai-gateway/service-kit';

export const INGRESS_ENV = {
  ...COMMON_ENV,
  ...GRPC_CLIENT_ENV,
  PORT: { type: 'port', default: 8080 },
  ADMIN_TOKEN: { type: 'string', required: true },
  ROUTER_URL: { type: 'hostport', required: true },
  CONFIG_URL: { type: 'hostport', required: true },
  KEY_VAULT_ADMIN_URL: { type: 'hostport', required: true },
  ANALYTICS_URL: { type: 'hostport' },
  NATS_URL: { type: 'string', required: true },
  MAX_BODY_BYTES: { type: 'int', default: 33_554_432, min: 1024 },
  REQUEST_TIMEOUT_MS: { type: 'int', default: 600_000, min: 1000 },
  /** Time a client has to send its whole body once its headers arrived. */
  BODY_READ_TIMEOUT_MS: { type: 'int', default: 30_000, min: 100 },
  /** Request body bytes this process holds at once, all requests together; past it new bodies get 503 + Retry-After. */
  MAX_INFLIGHT_BODY_BYTES: { type: 'int', default: 134_217_728, min: 1024 },
  /**
   * Public API requests (`/v1/...`) this process serves at once; one more is answered 503
   * `gateway_overloaded` + Retry-After before its body is read, so a flood is refused instead of
   * queued in this process's and the router's memory (about 70 KB per request in flight).
   */
  MAX_INFLIGHT_REQUESTS: { type: 'int', default: 4096, min: 1 },
  /**
   * Whose X-Forwarded-For is believed for the client's address (the admin sign-in limit, its audit):
   * '' nobody (the TCP peer), a hop count ('1'), or proxy addresses/CIDRs, comma separated.
   */
  TRUST_PROXY: { type: 'string', default: '' },
  /** Output tokens reserved for a chat request of a key with a budget or limits that names no max_tokens. */
  ADMISSION_DEFAULT_MAX_TOKENS: { type: 'int', default: 4096, min: 1 },
  /** How long a reservation outlives its request's deadline unsettled before it expires (a replica that died holds nothing longer). */
  ADMISSION_SETTLE_GRACE_MS: { type: 'int', default: 60_000, min: 0 },
  /** Replicas of the limits KV bucket (gateway_limits) when ingress creates it. */
  KV_REPLICAS: { type: 'int', default: 1, min: 1, max: 5 },
  /** The dashboard's built files (index.html, main.js, ...); unset: found next to the compiled ingress. */
  DASHBOARD_DIR: { type: 'string' },
} as const;

export function readIngressEnv(env: Environment) {
  const config = readEnv(INGRESS_ENV, env);
  if (config.ADMIN_TOKEN.length < 16) throw new ConfigError('ADMIN_TOKEN', 'must be at least 16 characters');
  if (config.MAX_INFLIGHT_BODY_BYTES < config.MAX_BODY_BYTES) throw new ConfigError('MAX_INFLIGHT_BODY_BYTES', 'must be at least MAX_BODY_BYTES');
  if (/^true$/i.test(config.TRUST_PROXY.trim())) throw new ConfigError('TRUST_PROXY', 'must be a hop count or proxy addresses, never true (any client could then name its address)');
  checkServiceCredential(config.SERVICE_CREDENTIAL);
  return config;
}

export type IngressEnv = ReturnType<typeof readIngressEnv>;
