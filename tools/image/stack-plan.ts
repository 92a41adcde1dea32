// Every service's environment, as the chart wires them, defined once: one process per service
// (the image, dist and chaos suites) or `replicas` of each against a JetStream cluster (the
// scale-out suite), every caller reaching every replica of what it calls (address lists, round
// robin), on free loopback ports.
import { freePorts, type TestServiceCredentials } from '@ai-gateway/testing';

export const APPS = ['config', 'key-vault', 'analytics', 'adapter-openai', 'adapter-anthropic', 'adapter-gemini', 'adapter-bedrock', 'adapter-azure-openai', 'router', 'ingress'] as const;
export type AppName = (typeof APPS)[number];
export type AdapterApp = Extract<AppName, `adapter-${string}`>;

/** The provider kinds each adapter service serves (the router's ADAPTER_URLS). */
const ADAPTER_KINDS: Readonly<Record<AdapterApp, readonly string[]>> = {
  'adapter-openai': ['openai'],
  'adapter-anthropic': ['anthropic'],
  'adapter-gemini': ['gemini', 'vertex'],
  'adapter-bedrock': ['bedrock'],
  'adapter-azure-openai': ['azure-openai'],
};

export interface ServicePlan {
  name: AppName;
  /** This replica's own name (`router-1`) when a service runs more than once; else the name. */
  instance?: string;
  /** ingress: its own /readyz base URL when there are several (else the stack's ingressUrl). */
  readyUrl?: string;
  stage: 1 | 2 | 3;
  /** The gRPC ports answering grpc.health.v1 (none for ingress). */
  grpcPorts: number[];
  /** The service's own variables (the chart's env.<service>), besides the common ones. */
  env: Record<string, string>;
}

export interface StackInputs {
  natsUrl: string;
  adminToken: string;
  /** Per-caller credentials (ingress, router) and the SERVICE_CALLERS digests every gRPC server checks. */
  service: TestServiceCredentials;
  /** key-vault's GATEWAY_DATA_DIR (local master key). */
  dataDir: string;
  /** config's first-start OPENAI_BASE_URL. */
  openaiBaseUrl?: string;
}

/** How many of what: one of each service with every adapter as a service, unless said otherwise. */
export interface StackShape {
  replicas: number;
  /** Nodes each bucket and stream is kept on (KV_REPLICAS, USAGE_STREAM_REPLICAS); unset: the services' default. */
  jetstreamReplicas?: number;
  /** The adapter services started; the other kinds stay embedded in the router. */
  adapters: readonly AdapterApp[];
  logLevel: string;
  /** DRAIN_TIMEOUT_MS (the chart's is 25 s): the SIGTERM path with its grace, within the suites' stop limits. */
  drainTimeoutMs: number;
}

export const SINGLE_STACK: StackShape = { replicas: 1, adapters: Object.keys(ADAPTER_KINDS) as AdapterApp[], logLevel: 'info', drainTimeoutMs: 5_000 };

export interface Stack {
  services: ServicePlan[];
  /** The first ingress replica's base URL. */
  ingressUrl: string;
  /** Every ingress replica's base URL. */
  ingressUrls: string[];
}

export async function planStack(inputs: StackInputs, shape: StackShape = SINGLE_STACK): Promise<Stack> {
  const apps = APPS.filter((name) => !name.startsWith('adapter-') || shape.adapters.includes(name as AdapterApp));
  // Per replica: a gRPC port per server (key-vault has two), ingress's HTTP port, a metrics port per service.
  const pool = await freePorts(shape.replicas * (apps.length * 2 + 1));
  const take = (): number => {
    const port = pool.shift();
    if (port === undefined) throw new Error('out of planned ports');
    return port;
  };
  const range = Array.from({ length: shape.replicas }, (_, i) => i);
  const perReplica = (): number[] => range.map(() => take());
  const config = perReplica();
  const kvAdmin = perReplica();
  const kvResolve = perReplica();
  const analytics = perReplica();
  const adapters = shape.adapters.map((app) => ({ app, ports: perReplica() }));
  const router = perReplica();
  const ingress = perReplica();
  const list = (of: number[]): string => of.map((port) => `127.0.0.1:${port}`).join(',');
  const adapterUrls = adapters.flatMap(({ app, ports }) => ADAPTER_KINDS[app].map((kind) => `${kind}=${list(ports)}`)).join(',');
  const jetstream = shape.jetstreamReplicas === undefined ? {} : { KV_REPLICAS: shape.jetstreamReplicas, USAGE_STREAM_REPLICAS: shape.jetstreamReplicas };
  const named = (name: AppName, i: number): string | undefined => (shape.replicas > 1 ? `${name}-${i}` : undefined);
  const plans: Array<Omit<ServicePlan, 'env'> & { env: Record<string, string | number | undefined> }> = [];
  for (const i of range) {
    const common = { NATS_URL: inputs.natsUrl, SERVICE_CALLERS: inputs.service.callers };
    plans.push(
      { name: 'config', instance: named('config', i), stage: 1, grpcPorts: [config[i]], env: { ...common, ...jetstream, GRPC_PORT: config[i], OPENAI_BASE_URL: inputs.openaiBaseUrl } },
      {
        name: 'key-vault',
        instance: named('key-vault', i),
        stage: 1,
        grpcPorts: [kvAdmin[i], kvResolve[i]],
        env: { ...common, ...jetstream, ADMIN_GRPC_PORT: kvAdmin[i], RESOLVE_GRPC_PORT: kvResolve[i], GATEWAY_DATA_DIR: inputs.dataDir },
      },
      { name: 'analytics', instance: named('analytics', i), stage: 1, grpcPorts: [analytics[i]], env: { ...common, ...jetstream, GRPC_PORT: analytics[i] } },
      ...adapters.map(({ app, ports }) => ({
        name: app,
        instance: named(app, i),
        stage: 1 as const,
        grpcPorts: [ports[i]],
        env: { SERVICE_CALLERS: inputs.service.callers, GRPC_PORT: ports[i] },
      })),
      {
        name: 'router',
        instance: named('router', i),
        stage: 2,
        grpcPorts: [router[i]],
        env: {
          ...common,
          GRPC_PORT: router[i],
          ROUTER_REPLICA_ID: named('router', i),
          CONFIG_URL: list(config),
          KEY_VAULT_RESOLVE_URL: list(kvResolve),
          ADAPTER_URLS: adapterUrls || undefined,
          SERVICE_CREDENTIAL: inputs.service.credentials.router,
        },
      },
      {
        name: 'ingress',
        instance: named('ingress', i),
        readyUrl: shape.replicas > 1 ? `http://127.0.0.1:${ingress[i]}` : undefined,
        stage: 3,
        grpcPorts: [],
        env: {
          ...common,
          PORT: ingress[i],
          KV_REPLICAS: shape.jetstreamReplicas,
          ADMIN_TOKEN: inputs.adminToken,
          SERVICE_CREDENTIAL: inputs.service.credentials.ingress,
          ROUTER_URL: list(router),
          CONFIG_URL: list(config),
          KEY_VAULT_ADMIN_URL: list(kvAdmin),
          ANALYTICS_URL: list(analytics),
        },
      },
    );
  }
  const ingressUrls = ingress.map((port) => `http://127.0.0.1:${port}`);
  return {
    ingressUrl: ingressUrls[0],
    ingressUrls,
    services: plans.map((plan) => ({
      ...plan,
      env: {
        APP: plan.name,
        BIND_HOST: '127.0.0.1',
        LOG_LEVEL: shape.logLevel,
        DRAIN_GRACE_MS: '200',
        DRAIN_TIMEOUT_MS: String(shape.drainTimeoutMs),
        METRICS_PORT: String(take()),
        ...Object.fromEntries(
          Object.entries(plan.env)
            .filter(([, value]) => value !== undefined)
            .map(([key, value]) => [key, String(value)]),
        ),
      },
    })),
  };
}
