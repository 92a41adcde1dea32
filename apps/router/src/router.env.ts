import { hostname } from 'node:os';
import { checkServiceCredential, COMMON_ENV, ConfigError, GRPC_CLIENT_ENV, GRPC_SERVER_ENV, readEnv, type Environment } from '@ai-gateway/service-kit';

export const ROUTER_ENV = {
  ...COMMON_ENV,
  ...GRPC_SERVER_ENV,
  ...GRPC_CLIENT_ENV,
  GRPC_PORT: { type: 'port', default: 50051 },
  CONFIG_URL: { type: 'hostport', required: true },
  KEY_VAULT_RESOLVE_URL: { type: 'hostport', required: true },
  /** kind=host:port pairs, comma separated: openai=127.0.0.1:50061,anthropic=127.0.0.1:50062 */
  ADAPTER_URLS: { type: 'string', required: true },
  NATS_URL: { type: 'string', required: true },
  ROUTER_REPLICA_ID: { type: 'string', default: `${hostname()}-${process.pid}` },
  REQUEST_TIMEOUT_MS: { type: 'int', default: 600_000, min: 1000 },
  ATTEMPT_TIMEOUT_MS: { type: 'int', default: 60_000, min: 100 },
  MAX_RETRIES: { type: 'int', default: 2, min: 0, max: 10 },
  RETRY_BASE_MS: { type: 'int', default: 100, min: 0 },
  RETRY_AFTER_MAX_MS: { type: 'int', default: 2000, min: 0 },
  USAGE_BUFFER_SIZE: { type: 'int', default: 10_000, min: 1 },
  BREAKER_FAILURES: { type: 'int', default: 5, min: 1 },
  BREAKER_COOLDOWN_MS: { type: 'int', default: 30_000, min: 100 },
} as const;

export function readRouterEnv(env: Environment) {
  const config = readEnv(ROUTER_ENV, env);
  checkServiceCredential(config.SERVICE_CREDENTIAL);
  return { ...config, adapterUrls: parseAdapterUrls(config.ADAPTER_URLS) };
}

export type RouterEnv = ReturnType<typeof readRouterEnv>;

function parseAdapterUrls(value: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of value.split(',').map((p) => p.trim()).filter(Boolean)) {
    const match = /^([a-z0-9-]+)=([A-Za-z0-9.\-[\]:]+:\d{1,5})$/.exec(pair);
    if (!match) throw new ConfigError('ADAPTER_URLS', `must be kind=host:port pairs separated by commas, got "${pair}"`);
    out[match[1]] = match[2];
  }
  if (Object.keys(out).length === 0) throw new ConfigError('ADAPTER_URLS', 'names no adapter');
  return out;
}
