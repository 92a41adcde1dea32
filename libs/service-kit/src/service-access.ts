import {
  ANALYTICS_SERVICE_NAME,
  CONFIG_SERVICE_NAME,
  GATEWAY_V1_PACKAGE_NAME,
  KEY_VAULT_ADMIN_SERVICE_NAME,
  KEY_VAULT_RESOLVE_SERVICE_NAME,
  PROVIDER_ADAPTER_SERVICE_NAME,
  ROUTER_SERVICE_NAME,
  type AnalyticsServiceController,
  type ConfigServiceController,
  type KeyVaultAdminServiceController,
  type KeyVaultResolveServiceController,
  type ProviderAdapterServiceController,
  type RouterServiceController,
} from '@ai-gateway/proto';

/**
 * The callers of internal gRPC services. Each has its own credential (SERVICE_CREDENTIAL in
 * its own process only); callees hold only the SHA-256 digests of the credentials they accept.
 * Operator tools (`npm run keys:rewrap`) go through the admin API, never to gRPC directly.
 */
export const SERVICE_IDENTITIES = ['ingress', 'router'] as const;
export type ServiceIdentity = (typeof SERVICE_IDENTITIES)[number];

/** The gRPC method names of a generated controller interface (`putProvider` → `PutProvider`). */
type MethodsOf<Controller> = ReadonlyArray<Capitalize<Extract<keyof Controller, string>>>;

interface Grant {
  service: string;
  methods: readonly string[];
}

function grant<Controller>(service: string, methods: MethodsOf<Controller>): Grant {
  return { service: `${GATEWAY_V1_PACKAGE_NAME}.${service}`, methods };
}

/**
 * Least privilege: which internal RPCs each caller may make. Anything not listed is
 * PERMISSION_DENIED for an authenticated caller. Typed against the generated controllers, so
 * a renamed RPC fails to compile here rather than silently losing (or gaining) access.
 */
export const SERVICE_ACCESS: Readonly<Record<ServiceIdentity, readonly Grant[]>> = {
  // The HTTP edge: the OpenAI-compatible API through the router, and the admin API.
  ingress: [
    grant<RouterServiceController>(ROUTER_SERVICE_NAME, ['ChatCompletion', 'StreamChatCompletion', 'Embeddings', 'ListModels', 'DiscoverModels', 'ListKeyStates', 'GetRoutingStats']),
    grant<ConfigServiceController>(CONFIG_SERVICE_NAME, [
      // gateway-key authentication follows the snapshot (ApiKeyAuthenticator)
      'GetSnapshot',
      'WatchSnapshot',
      // admin API
      'PutProvider',
      'SetPriority',
      'SetFallbacks',
      'SetErrorActions',
      'SetRoutingPolicies',
      'CreateApiKey',
      'ListApiKeys',
      'DeleteApiKey',
      'CreateTeam',
      'UpdateTeam',
      'DeleteTeam',
      'PutModelOverride',
      'DeleteModelOverride',
    ]),
    grant<KeyVaultAdminServiceController>(KEY_VAULT_ADMIN_SERVICE_NAME, ['AddKey', 'ListKeys', 'RotateKey', 'DeleteKey', 'RewrapKeys']),
    grant<AnalyticsServiceController>(ANALYTICS_SERVICE_NAME, ['GetProviderHealth', 'GetUsage']),
  ],
  // The data plane: reads config, resolves provider keys, calls the adapters. No admin RPC.
  router: [
    grant<ConfigServiceController>(CONFIG_SERVICE_NAME, ['GetSnapshot', 'WatchSnapshot']),
    grant<KeyVaultResolveServiceController>(KEY_VAULT_RESOLVE_SERVICE_NAME, ['ResolveKeys', 'WatchKeyChanges']),
    grant<ProviderAdapterServiceController>(PROVIDER_ADAPTER_SERVICE_NAME, ['Chat', 'ChatStream', 'Embeddings', 'DiscoverModels']),
  ],
};

const ALLOWED_PATHS: ReadonlyMap<ServiceIdentity, ReadonlySet<string>> = new Map(
  SERVICE_IDENTITIES.map((identity) => [
    identity,
    new Set(SERVICE_ACCESS[identity].flatMap((g) => g.methods.map((method) => `/${g.service}/${method}`))),
  ]),
);

/** Whether `identity` may call the gRPC method at `path` (`/gateway.v1.ConfigService/PutProvider`). */
export function mayCall(identity: ServiceIdentity, path: string): boolean {
  return ALLOWED_PATHS.get(identity)?.has(path) ?? false;
}

export function isServiceIdentity(value: string): value is ServiceIdentity {
  return (SERVICE_IDENTITIES as readonly string[]).includes(value);
}
