// The services of the dev stack, their fixed development ports, their environment and start order.
import { createHash } from 'node:crypto';

const HOST = '127.0.0.1';
const at = (port) => `${HOST}:${port}`;

export const PORTS = {
  router: 50051,
  config: 50052,
  keyVaultAdmin: 50053,
  keyVaultResolve: 50054,
  analytics: 50055,
  adapterOpenai: 50061,
  adapterAnthropic: 50062,
  adapterGemini: 50063,
  adapterBedrock: 50064,
  adapterAzureOpenai: 50065,
};

/** Variables each service gets from dev-stack only, never from the caller's shell. */
const OWNED = [
  'PORT', 'GRPC_PORT', 'ADMIN_GRPC_PORT', 'RESOLVE_GRPC_PORT', 'METRICS_PORT', 'LOG_FILE', 'BIND_HOST', 'SERVICE_CREDENTIAL', 'SERVICE_CALLERS',
  'DRAIN_GRACE_MS', 'DRAIN_TIMEOUT_MS',
];

/**
 * The drain of a service stopped by dev-stack: no endpoint grace (no load balancer in front of
 * `npm start` needs one) and 3 s for in-flight requests, so that Ctrl-C stops every stage
 * (ingress, router, the rest, one after the other) within the contract's 10 s.
 */
export const DEV_DRAIN = { DRAIN_GRACE_MS: '0', DRAIN_TIMEOUT_MS: '3000' };

/**
 * SERVICE_CALLERS of every gRPC server: the SHA-256 digests of the callers' credentials
 * (libs/service-kit service-credential.ts); the credentials themselves go only to their owner.
 * @param {{ingress: string, router: string}} credentials
 */
export function serviceCallers(credentials) {
  return Object.entries(credentials)
    .map(([identity, credential]) => `${identity}:${createHash('sha256').update(credential, 'utf8').digest('hex')}`)
    .join(',');
}

/**
 * Start stages, in dependency order; the services of one stage start together.
 * `port` is the one probed for readiness when LOG_LEVEL hides the "ready" log line.
 * @returns {{name: string, stage: number, port: number, env: Record<string, string>}[]}
 */
export function services({ natsUrl, dataDir, adminToken, serviceCredentials, ingressPort, analyticsMetricsPort, adapterServices = [] }) {
  const callers = serviceCallers(serviceCredentials);
  // Kinds in service mode run as their own app; every other kind runs inside the router (embedded).
  const adapterApps = [
    { kinds: ['openai'], name: 'adapter-openai', port: PORTS.adapterOpenai },
    { kinds: ['anthropic'], name: 'adapter-anthropic', port: PORTS.adapterAnthropic },
    { kinds: ['gemini', 'vertex'], name: 'adapter-gemini', port: PORTS.adapterGemini },
    { kinds: ['bedrock'], name: 'adapter-bedrock', port: PORTS.adapterBedrock },
    { kinds: ['azure-openai'], name: 'adapter-azure-openai', port: PORTS.adapterAzureOpenai },
  ].filter((app) => app.kinds.some((kind) => adapterServices.includes(kind)));
  const list = [
    { name: 'config', stage: 1, port: PORTS.config, env: { GRPC_PORT: PORTS.config, NATS_URL: natsUrl } },
    {
      name: 'key-vault',
      stage: 1,
      port: PORTS.keyVaultAdmin,
      env: {
        ADMIN_GRPC_PORT: PORTS.keyVaultAdmin,
        RESOLVE_GRPC_PORT: PORTS.keyVaultResolve,
        NATS_URL: natsUrl,
        GATEWAY_DATA_DIR: dataDir,
      },
    },
    {
      name: 'analytics',
      stage: 1,
      port: PORTS.analytics,
      env: { GRPC_PORT: PORTS.analytics, METRICS_PORT: analyticsMetricsPort, NATS_URL: natsUrl },
    },
    ...adapterApps.map((app) => ({ name: app.name, stage: 1, port: app.port, env: { GRPC_PORT: app.port } })),
    {
      name: 'router',
      stage: 2,
      port: PORTS.router,
      env: {
        GRPC_PORT: PORTS.router,
        CONFIG_URL: at(PORTS.config),
        KEY_VAULT_RESOLVE_URL: at(PORTS.keyVaultResolve),
        ADAPTER_URLS: adapterApps.flatMap((app) => app.kinds.map((kind) => `${kind}=${at(app.port)}`)).join(','),
        NATS_URL: natsUrl,
        SERVICE_CREDENTIAL: serviceCredentials.router,
      },
    },
    {
      name: 'ingress',
      stage: 3,
      port: ingressPort,
      env: {
        PORT: ingressPort,
        ADMIN_TOKEN: adminToken,
        SERVICE_CREDENTIAL: serviceCredentials.ingress,
        ROUTER_URL: at(PORTS.router),
        CONFIG_URL: at(PORTS.config),
        KEY_VAULT_ADMIN_URL: at(PORTS.keyVaultAdmin),
        ANALYTICS_URL: at(PORTS.analytics),
        NATS_URL: natsUrl,
      },
    },
  ];
  // Every gRPC server accepts the callers' credentials (by digest); ingress serves HTTP only.
  for (const service of list) if (service.name !== 'ingress') service.env.SERVICE_CALLERS = callers;
  // Metrics of everything but analytics: 9465, 9466, ... in this order.
  let metricsPort = 9465;
  for (const service of list) service.env.METRICS_PORT ??= metricsPort++;
  return list;
}

/**
 * The caller's environment (PATH, KMS_*, AWS_*, *_BASE_URL, MAX_BODY_BYTES, RETRY_AFTER_MAX_MS,
 * LOG_LEVEL, ... pass through) minus the per-service variables, plus the service's own.
 */
export function serviceEnv(service) {
  const env = { ...process.env };
  for (const name of OWNED) delete env[name];
  env.BIND_HOST = HOST;
  Object.assign(env, DEV_DRAIN);
  // A small young generation: under load it kept the router at 113 MB instead of 161 MB (bench, same run length,
  // same capacity). The caller's NODE_OPTIONS wins.
  env.NODE_OPTIONS ??= SERVICE_NODE_OPTIONS;
  for (const [name, value] of Object.entries(service.env)) env[name] = String(value);
  return env;
}

export const SERVICE_NODE_OPTIONS = '--max-semi-space-size=4';
