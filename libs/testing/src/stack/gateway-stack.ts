import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from '../find-binary';
import { startNatsServer, type NatsServerHandle } from '../nats-server';
import { testServiceCredentials } from '../service-credentials';
import { loadApp, type RunningApp } from './load-app';

export interface GatewayStackOptions {
  openaiBaseUrl?: string;
  anthropicBaseUrl?: string;
  /** Router replicas; each gets its own ingress so a test can reach either. */
  routers?: number;
  /** Every ingress reaches every router (ROUTER_URL lists them all, round robin) instead of its own one. */
  sharedRouters?: boolean;
  /**
   * Key-vault replicas (apps `key-vault`, `key-vault-1`, ...), one data directory, one bucket:
   * router and ingress i use replica i modulo the count (resolve and admin).
   */
  keyVaults?: number;
  /** Extra environment for every service (e.g. RETRY_AFTER_MAX_MS). */
  env?: Record<string, string>;
  /** Environment for the routers only. */
  routerEnv?: Record<string, string>;
  /** What the routers take besides their environment (router app.ts RouterDeps: hedgeFor, ttftP95For). */
  routerDeps?: object;
  logLevel?: string;
  nats?: NatsServerHandle;
  /**
   * How the provider adapters run: inside the routers (`embedded`, the product's default) or as
   * their own services (`service`: apps adapter-openai and adapter-anthropic, named in the
   * routers' ADAPTER_URLS). Suites that stop or reach an adapter service ask for `service`.
   */
  adapterMode?: AdapterMode;
}

export type AdapterMode = 'embedded' | 'service';

/** Both adapter modes, for suites that run once in each (`describe.each(ADAPTER_MODES)`). */
export const ADAPTER_MODES: readonly AdapterMode[] = ['embedded', 'service'];

export interface GatewayStack {
  nats: NatsServerHandle;
  /** One ingress base URL (http://127.0.0.1:port) per router replica. */
  ingressUrls: string[];
  adminToken: string;
  /** Each internal caller's own credential (SERVICE_CREDENTIAL of ingress and of the routers). */
  serviceCredentials: { ingress: string; router: string };
  /** SERVICE_CALLERS every gRPC server of the stack runs with. */
  serviceCallers: string;
  apps: Record<string, RunningApp>;
  metricsUrl(app: string): string;
  /** Every JSON log line the services wrote so far. */
  logText(): string;
  admin(method: string, path: string, body?: unknown): Promise<{ status: number; body: unknown }>;
  /** Stops one service (as a crash or a rollout would). */
  stopApp(name: string): Promise<void>;
  /** Starts a stopped service again with the same environment (its ports may change), plus `env` (e.g. its old GRPC_PORT). */
  startApp(name: string, env?: Record<string, string>): Promise<RunningApp>;
  close(): Promise<void>;
}

/** The adapter services of service mode and the provider kinds each one serves. */
const ADAPTER_APPS: ReadonlyArray<{ app: string; kinds: readonly string[] }> = [
  { app: 'adapter-openai', kinds: ['openai'] },
  { app: 'adapter-anthropic', kinds: ['anthropic'] },
  { app: 'adapter-gemini', kinds: ['gemini', 'vertex'] },
  { app: 'adapter-bedrock', kinds: ['bedrock'] },
  { app: 'adapter-azure-openai', kinds: ['azure-openai'] },
];

function appExists(name: string): boolean {
  return existsSync(join(REPO_ROOT, 'apps', name, 'src', 'app.ts'));
}

/** The whole gateway in this process, every service over real gRPC on loopback, and a real nats-server. */
export async function startGatewayStack(options: GatewayStackOptions = {}): Promise<GatewayStack> {
  const nats = options.nats ?? (await startNatsServer());
  const dataDir = mkdtempSync(join(tmpdir(), 'gateway-stack-'));
  const logDir = join(dataDir, 'logs');
  const adminToken = `admin-${randomBytes(18).toString('base64url')}`;
  const { credentials: serviceCredentials, callers: serviceCallers } = testServiceCredentials();
  const apps: Record<string, RunningApp> = {};
  const launches: Record<string, { service: string; env: Record<string, string>; deps?: object }> = {};
  const base = (service: string): Record<string, string> => ({
    NATS_URL: nats.url,
    BIND_HOST: '127.0.0.1',
    LOG_LEVEL: options.logLevel ?? 'info',
    LOG_FILE: join(logDir, `${service}.log`),
    METRICS_PORT: '0',
    SERVICE_CALLERS: serviceCallers,
    ...options.env,
  });
  const start = async (name: string, service: string, env: Record<string, string>, deps?: object): Promise<RunningApp> => {
    launches[name] = { service, env: { ...base(name), ...env }, deps };
    const app = await loadApp(service)(launches[name].env, undefined, deps);
    apps[name] = app;
    return app;
  };

  try {
    const config = await start('config', 'config', {
      GRPC_PORT: '0',
      OPENAI_BASE_URL: options.openaiBaseUrl ?? 'http://127.0.0.1:9/v1',
      ANTHROPIC_BASE_URL: options.anthropicBaseUrl ?? 'http://127.0.0.1:9',
    });
    const keyVaults: RunningApp[] = [];
    for (let i = 0; i < (options.keyVaults ?? 1); i++) {
      keyVaults.push(
        await start(i === 0 ? 'key-vault' : `key-vault-${i}`, 'key-vault', {
          ADMIN_GRPC_PORT: '0',
          RESOLVE_GRPC_PORT: '0',
          GATEWAY_DATA_DIR: dataDir,
          KMS_PROVIDER: 'local',
        }),
      );
    }
    const analytics = appExists('analytics') ? await start('analytics', 'analytics', { GRPC_PORT: '0' }) : undefined;
    const adapterUrls: string[] = [];
    for (const { app, kinds } of options.adapterMode === 'service' ? ADAPTER_APPS : []) {
      if (!appExists(app)) continue;
      const adapter = await start(app, app, { GRPC_PORT: '0' });
      adapterUrls.push(...kinds.map((kind) => `${kind}=127.0.0.1:${adapter.ports.grpc}`));
    }
    const routerCount = options.routers ?? 1;
    const routers: RunningApp[] = [];
    for (let i = 0; i < routerCount; i++) {
      routers.push(
        await start(`router-${i}`, 'router', {
          GRPC_PORT: '0',
          CONFIG_URL: `127.0.0.1:${config.ports.grpc}`,
          KEY_VAULT_RESOLVE_URL: `127.0.0.1:${keyVaults[i % keyVaults.length].ports.resolve}`,
          ADAPTER_URLS: adapterUrls.join(','),
          SERVICE_CREDENTIAL: serviceCredentials.router,
          ROUTER_REPLICA_ID: `router-${i}`,
          RETRY_BASE_MS: '10',
          // Suites that stop an adapter expect its 503 at once; tools/chaos.integration-spec.ts covers the wait.
          ADAPTER_UNAVAILABLE_WAIT_MS: '0',
          ...options.routerEnv,
        }, options.routerDeps),
      );
    }
    const everyRouter = routers.map((router) => `127.0.0.1:${router.ports.grpc}`).join(',');
    const ingressUrls: string[] = [];
    for (let i = 0; i < routerCount; i++) {
      const ingress = await start(`ingress-${i}`, 'ingress', {
        PORT: '0',
        ADMIN_TOKEN: adminToken,
        SERVICE_CREDENTIAL: serviceCredentials.ingress,
        ROUTER_URL: options.sharedRouters ? everyRouter : `127.0.0.1:${routers[i].ports.grpc}`,
        CONFIG_URL: `127.0.0.1:${config.ports.grpc}`,
        KEY_VAULT_ADMIN_URL: `127.0.0.1:${keyVaults[i % keyVaults.length].ports.admin}`,
        ...(analytics ? { ANALYTICS_URL: `127.0.0.1:${analytics.ports.grpc}` } : {}),
      });
      ingressUrls.push(`http://127.0.0.1:${ingress.ports.http}`);
    }

    const stack: GatewayStack = {
      nats,
      ingressUrls,
      adminToken,
      serviceCredentials,
      serviceCallers,
      apps,
      metricsUrl: (app) => `http://127.0.0.1:${apps[app].ports.metrics}/metrics`,
      logText: () =>
        existsSync(logDir)
          ? readdirSync(logDir)
              .map((file) => readFileSync(join(logDir, file), 'utf8'))
              .join('\n')
          : '',
      admin: async (method, path, body) => {
        const response = await fetch(`${ingressUrls[0]}${path}`, {
          method,
          headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
          body: body === undefined ? undefined : JSON.stringify(body),
        });
        const text = await response.text();
        return { status: response.status, body: text ? (JSON.parse(text) as unknown) : undefined };
      },
      stopApp: async (name) => {
        await apps[name].close();
        delete apps[name];
      },
      startApp: async (name, env = {}) => {
        const launch = launches[name];
        const app = await loadApp(launch.service)({ ...launch.env, ...env }, undefined, launch.deps);
        apps[name] = app;
        return app;
      },
      close: async () => {
        const order = Object.keys(apps).reverse();
        for (const name of order) await apps[name].close().catch(() => undefined);
        if (!options.nats) await nats.dispose();
        rmSync(dataDir, { recursive: true, force: true });
      },
    };
    return stack;
  } catch (error) {
    for (const app of Object.values(apps).reverse()) await app.close().catch(() => undefined);
    if (!options.nats) await nats.dispose();
    rmSync(dataDir, { recursive: true, force: true });
    throw error;
  }
}
