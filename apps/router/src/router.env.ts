import { hostname } from 'node:os';
import { DEFAULT_MAX_RESPONSE_BYTES } from '@ai-gateway/provider-http';
import { checkServiceCredential, COMMON_ENV, ConfigError, GRPC_CLIENT_ENV, GRPC_SERVER_ENV, readEnv, type Environment } from '@ai-gateway/service-kit';
import { parseAdapterUrls } from './adapter-urls';

export const ROUTER_ENV = {
  ...COMMON_ENV,
  ...GRPC_SERVER_ENV,
  ...GRPC_CLIENT_ENV,
  GRPC_PORT: { type: 'port', default: 50051 },
  CONFIG_URL: { type: 'hostport', required: true },
  KEY_VAULT_RESOLVE_URL: { type: 'hostport', required: true },
  /**
   * The provider kinds served by their own adapter service (service mode), as kind=address
   * entries, comma separated, a kind's replicas listed after it (adapter-urls.ts):
   * openai=127.0.0.1:50061,127.0.0.1:50062. Every other registered kind runs inside the router
   * (embedded, the default).
   */
  ADAPTER_URLS: { type: 'string', default: '' },
  /** The largest unary answer an embedded adapter reads from a provider (DEFAULT_MAX_RESPONSE_BYTES says why 32 MiB). */
  MAX_RESPONSE_BYTES: { type: 'int', default: DEFAULT_MAX_RESPONSE_BYTES, min: 1024 },
  /** The Microsoft identity platform's base URL for Entra ID tokens of azure-openai providers (the Azure SDKs' name); empty: login.microsoftonline.com. */
  AZURE_AUTHORITY_HOST: { type: 'string', default: '' },
  NATS_URL: { type: 'string', required: true },
  ROUTER_REPLICA_ID: { type: 'string', default: `${hostname()}-${process.pid}` },
  /** The request's deadline when the client sets no x-gateway-timeout-ms; streams included. */
  REQUEST_TIMEOUT_MS: { type: 'int', default: 600_000, min: 1000 },
  /** Request body bytes this router holds at once (every ingress replica's requests together); past it, 503 gateway_overloaded. */
  MAX_INFLIGHT_BODY_BYTES: { type: 'int', default: 268_435_456, min: 1024 },
  /** A non-streaming attempt's wait for the whole answer (at least the model's first-token limit). */
  ATTEMPT_TIMEOUT_MS: { type: 'int', default: 60_000, min: 100 },
  /** A stream's wait for the provider's response headers, connection included. */
  HEADERS_TIMEOUT_MS: { type: 'int', default: 30_000, min: 100 },
  /** A stream's wait for its first content token, standard models (the catalog's default). */
  FIRST_TOKEN_TIMEOUT_MS: { type: 'int', default: 30_000, min: 100 },
  /** The same for reasoning models (o1, o3, ...). */
  REASONING_FIRST_TOKEN_TIMEOUT_MS: { type: 'int', default: 300_000, min: 100 },
  /** Per model: `o1=600000,gpt-4o=20000` (any name of the model). */
  FIRST_TOKEN_TIMEOUT_OVERRIDES: { type: 'string', default: '' },
  /** The longest gap between two chunks of a stream once content flows. */
  STREAM_IDLE_TIMEOUT_MS: { type: 'int', default: 30_000, min: 100 },
  /** When every candidate's circuit is open: `probe` the one that failed least recently (panic routing), or `fail-fast` (503). */
  BREAKER_ALL_OPEN: { type: 'enum', values: ['probe', 'fail-fast'], default: 'probe' },
  MAX_RETRIES: { type: 'int', default: 2, min: 0, max: 10 },
  RETRY_BASE_MS: { type: 'int', default: 100, min: 0 },
  RETRY_AFTER_MAX_MS: { type: 'int', default: 2000, min: 0 },
  /** A request's wait for its unreachable adapter service (a restart of one replica takes a few seconds), retried every 250 ms; 0: MAX_RETRIES only. */
  ADAPTER_UNAVAILABLE_WAIT_MS: { type: 'int', default: 5000, min: 0, max: 60000 },
  USAGE_BUFFER_SIZE: { type: 'int', default: 10_000, min: 1 },
  BREAKER_FAILURES: { type: 'int', default: 5, min: 1 },
  BREAKER_COOLDOWN_MS: { type: 'int', default: 30_000, min: 100 },
  /** Also open a circuit when this share (percent) of the last 20 outcomes failed; 0 turns the rule off. */
  BREAKER_FAILURE_RATE_PERCENT: { type: 'int', default: 50, min: 0, max: 100 },
} as const;

export function readRouterEnv(env: Environment) {
  const config = readEnv(ROUTER_ENV, env);
  checkServiceCredential(config.SERVICE_CREDENTIAL);
  return {
    ...config,
    adapterUrls: parseAdapterUrls(config.ADAPTER_URLS),
    firstTokenOverrides: parseTimeoutOverrides(config.FIRST_TOKEN_TIMEOUT_OVERRIDES),
  };
}

/** `model=ms` pairs, comma separated. */
function parseTimeoutOverrides(value: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const pair of value.split(',').map((p) => p.trim()).filter(Boolean)) {
    const match = /^([A-Za-z0-9._:/-]{1,200})=(\d{3,9})$/.exec(pair);
    if (!match) throw new ConfigError('FIRST_TOKEN_TIMEOUT_OVERRIDES', `must be model=milliseconds pairs (at least 100) separated by commas, got "${pair.slice(0, 100)}"`);
    const ms = Number(match[2]);
    if (ms < 100) throw new ConfigError('FIRST_TOKEN_TIMEOUT_OVERRIDES', `${match[1]}: at least 100 ms`);
    out[match[1]] = ms;
  }
  return out;
}

export type RouterEnv = ReturnType<typeof readRouterEnv>;
