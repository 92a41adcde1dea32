// The scale-out topology (issue 21): `replicas` of every service, one process each, against a
// JetStream cluster; every caller reaches every replica of what it calls (address lists, round
// robin), buckets and streams kept on `jetstreamReplicas` nodes. Shared environment as in
// service-harness.ts (planStack), per replica its own ports.
import { APPS, freePorts, type AppName, type ServicePlan, type Stack, type StackInputs } from './service-harness';

export interface ScaledInputs extends StackInputs {
  replicas: number;
  jetstreamReplicas: number;
}

export interface ScaledStack extends Stack {
  /** Every ingress replica's base URL. */
  ingressUrls: string[];
}

const GRPC_PORTS_PER_REPLICA: Readonly<Record<AppName, number>> = {
  config: 1,
  'key-vault': 2,
  analytics: 1,
  'adapter-openai': 1,
  'adapter-anthropic': 1,
  'adapter-gemini': 1,
  'adapter-bedrock': 1,
  'adapter-azure-openai': 1,
  router: 1,
  ingress: 0,
};

export async function planScaledStack(inputs: ScaledInputs): Promise<ScaledStack> {
  // One adapter service (OpenAI's) stands for service mode; the other kinds stay embedded.
  const apps = APPS.filter((name) => name === 'adapter-openai' || !name.startsWith('adapter-'));
  const perReplica = apps.reduce((sum, name) => sum + GRPC_PORTS_PER_REPLICA[name] + 1, 1);
  const pool = await freePorts(perReplica * inputs.replicas);
  const take = (): number => {
    const port = pool.shift();
    if (port === undefined) throw new Error('out of planned ports');
    return port;
  };
  const range = Array.from({ length: inputs.replicas }, (_, i) => i);
  const ports = (_perReplica: 1): number[] => range.map(() => take());
  const config = ports(1);
  const kvAdmin = ports(1);
  const kvResolve = ports(1);
  const analytics = ports(1);
  const openai = ports(1);
  const router = ports(1);
  const ingress = ports(1);
  const list = (of: number[]): string => of.map((port) => `127.0.0.1:${port}`).join(',');
  const replicaSettings = { KV_REPLICAS: inputs.jetstreamReplicas, USAGE_STREAM_REPLICAS: inputs.jetstreamReplicas };
  const plans: Array<Omit<ServicePlan, 'env'> & { env: Record<string, string | number | undefined> }> = [];
  for (const i of range) {
    const common = { NATS_URL: inputs.natsUrl, SERVICE_CALLERS: inputs.service.callers };
    plans.push(
      { name: 'config', instance: `config-${i}`, stage: 1, grpcPorts: [config[i]], env: { ...common, ...replicaSettings, GRPC_PORT: config[i], OPENAI_BASE_URL: inputs.openaiBaseUrl } },
      {
        name: 'key-vault',
        instance: `key-vault-${i}`,
        stage: 1,
        grpcPorts: [kvAdmin[i], kvResolve[i]],
        env: { ...common, ...replicaSettings, ADMIN_GRPC_PORT: kvAdmin[i], RESOLVE_GRPC_PORT: kvResolve[i], GATEWAY_DATA_DIR: inputs.dataDir },
      },
      { name: 'analytics', instance: `analytics-${i}`, stage: 1, grpcPorts: [analytics[i]], env: { ...common, ...replicaSettings, GRPC_PORT: analytics[i] } },
      { name: 'adapter-openai', instance: `adapter-openai-${i}`, stage: 1, grpcPorts: [openai[i]], env: { SERVICE_CALLERS: inputs.service.callers, GRPC_PORT: openai[i] } },
      {
        name: 'router',
        instance: `router-${i}`,
        stage: 2,
        grpcPorts: [router[i]],
        env: {
          ...common,
          GRPC_PORT: router[i],
          ROUTER_REPLICA_ID: `router-${i}`,
          CONFIG_URL: list(config),
          KEY_VAULT_RESOLVE_URL: list(kvResolve),
          ADAPTER_URLS: `openai=${list(openai)}`,
          SERVICE_CREDENTIAL: inputs.service.credentials.router,
        },
      },
      {
        name: 'ingress',
        instance: `ingress-${i}`,
        readyUrl: `http://127.0.0.1:${ingress[i]}`,
        stage: 3,
        grpcPorts: [],
        env: {
          ...common,
          PORT: ingress[i],
          KV_REPLICAS: inputs.jetstreamReplicas,
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
  return {
    ingressUrl: `http://127.0.0.1:${ingress[0]}`,
    ingressUrls: ingress.map((port) => `http://127.0.0.1:${port}`),
    services: plans.map((plan) => ({
      ...plan,
      env: {
        APP: plan.name,
        BIND_HOST: '127.0.0.1',
        LOG_LEVEL: 'warn',
        DRAIN_GRACE_MS: '200',
        // Longer than clients' keep-alive timeout (4 s), as in production (25 s): a draining ingress waits for their idle connections.
        DRAIN_TIMEOUT_MS: '10000',
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
