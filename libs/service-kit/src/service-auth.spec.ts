import { status as GrpcStatus } from '@grpc/grpc-js';
import { ConfigError } from './env';
import { mayCall, SERVICE_ACCESS, SERVICE_IDENTITIES } from './service-access';
import { checkServiceCall } from './service-auth.interceptor';
import { checkServiceCredential, generateServiceCredential, serviceCallersValue, serviceCredentialDigest, ServiceCallers } from './service-credential';

const ingress = generateServiceCredential();
const router = generateServiceCredential();
const routerNext = generateServiceCredential();
const callers = ServiceCallers.parse(serviceCallersValue({ ingress, router: [router, routerNext] }));
const path = (service: string, method: string) => `/gateway.v1.${service}/${method}`;

describe('ServiceCallers', () => {
  it('identifies each caller by its credential, both credentials of a rotation included', () => {
    expect(callers.identify(ingress)).toBe('ingress');
    expect(callers.identify(router)).toBe('router');
    expect(callers.identify(routerNext)).toBe('router');
    expect(callers.identities().sort()).toEqual(['ingress', 'router']);
  });

  it('knows nobody for a missing, wrong, truncated, extended or oversized credential', () => {
    for (const presented of [undefined, '', 'x', router.slice(0, -1), `${router}x`, router.toUpperCase(), 'a'.repeat(100_000)]) {
      expect(callers.identify(presented)).toBeUndefined();
    }
  });

  it('holds digests only: SERVICE_CALLERS is identity:sha256hex', () => {
    const value = serviceCallersValue({ ingress });
    expect(value).toBe(`ingress:${serviceCredentialDigest(ingress)}`);
    expect(value).not.toContain(ingress);
  });

  it('refuses a malformed SERVICE_CALLERS at start, naming the variable', () => {
    for (const bad of ['', 'ingress', `admin:${'a'.repeat(64)}`, 'router:xyz', `router:${'A'.repeat(64)}`, `router:${'a'.repeat(64)}:x`]) {
      expect(() => ServiceCallers.parse(bad)).toThrow(ConfigError);
      expect(() => ServiceCallers.parse(bad)).toThrow(/SERVICE_CALLERS/);
    }
  });

  it('refuses a short or non-printable SERVICE_CREDENTIAL at start', () => {
    expect(() => checkServiceCredential('short')).toThrow(/SERVICE_CREDENTIAL must be at least 32/);
    expect(() => checkServiceCredential(`${'a'.repeat(40)} b`)).toThrow(/printable/);
    expect(checkServiceCredential(router)).toBe(router);
  });
});

describe('SERVICE_ACCESS', () => {
  it('is the designed least-privilege table', () => {
    const table = Object.fromEntries(SERVICE_IDENTITIES.map((id) => [id, SERVICE_ACCESS[id].map((g) => `${g.service}: ${[...g.methods].sort().join(' ')}`)]));
    expect(table).toEqual({
      ingress: [
        'gateway.v1.RouterService: ChatCompletion DiscoverModels Embeddings GetRoutingStats ListKeyStates ListModels StreamChatCompletion',
        'gateway.v1.ConfigService: CreateApiKey CreateTeam DeleteApiKey DeleteModelOverride DeleteTeam GetSnapshot ListApiKeys PutModelOverride PutProvider SetErrorActions SetFallbacks SetPriority SetRoutingPolicies UpdateTeam WatchSnapshot',
        'gateway.v1.KeyVaultAdminService: AddKey DeleteKey ListKeys RewrapKeys RotateKey',
        'gateway.v1.AnalyticsService: GetProviderHealth GetUsage',
      ],
      router: [
        'gateway.v1.ConfigService: GetSnapshot WatchSnapshot',
        'gateway.v1.KeyVaultResolveService: ResolveKeys WatchKeyChanges',
        'gateway.v1.ProviderAdapterService: Chat ChatStream DiscoverModels Embeddings',
      ],
    });
  });

  it('keeps the router out of every admin RPC and ingress out of resolve and the adapters', () => {
    for (const method of ['PutProvider', 'SetPriority', 'SetFallbacks', 'SetRoutingPolicies', 'CreateApiKey', 'ListApiKeys', 'DeleteApiKey', 'CreateTeam', 'UpdateTeam', 'DeleteTeam']) expect(mayCall('router', path('ConfigService', method))).toBe(false);
    for (const method of ['AddKey', 'ListKeys', 'RotateKey', 'DeleteKey', 'RewrapKeys']) expect(mayCall('router', path('KeyVaultAdminService', method))).toBe(false);
    expect(mayCall('router', path('AnalyticsService', 'GetUsage'))).toBe(false);
    expect(mayCall('router', path('RouterService', 'ChatCompletion'))).toBe(false);
    expect(mayCall('ingress', path('KeyVaultResolveService', 'ResolveKeys'))).toBe(false);
    expect(mayCall('ingress', path('KeyVaultResolveService', 'WatchKeyChanges'))).toBe(false);
    expect(mayCall('ingress', path('ProviderAdapterService', 'Chat'))).toBe(false);
    expect(mayCall('router', path('ConfigService', 'WatchSnapshot'))).toBe(true);
    expect(mayCall('ingress', path('ConfigService', 'PutProvider'))).toBe(true);
  });
});

describe('checkServiceCall', () => {
  const putProvider = path('ConfigService', 'PutProvider');

  it('lets grpc.health.v1 through without a credential', () => {
    expect(checkServiceCall(callers, '/grpc.health.v1.Health/Check', undefined)).toBeUndefined();
    expect(checkServiceCall(callers, '/grpc.health.v1.Health/Watch', undefined)).toBeUndefined();
  });

  it('answers UNAUTHENTICATED without or with a wrong credential, PERMISSION_DENIED for a known caller out of its grants', () => {
    expect(checkServiceCall(callers, putProvider, undefined)).toEqual({ path: putProvider, code: GrpcStatus.UNAUTHENTICATED, reason: 'no-credential' });
    expect(checkServiceCall(callers, putProvider, 'not-a-credential-not-a-credential')).toEqual({ path: putProvider, code: GrpcStatus.UNAUTHENTICATED, reason: 'wrong-credential' });
    expect(checkServiceCall(callers, putProvider, router)).toEqual({ path: putProvider, code: GrpcStatus.PERMISSION_DENIED, identity: 'router', reason: 'not-allowed' });
    expect(checkServiceCall(callers, putProvider, ingress)).toBeUndefined();
  });

  it('does not treat a look-alike of the health path as open', () => {
    expect(checkServiceCall(callers, '/grpc.health.v1.HealthX/Check', undefined)?.code).toBe(GrpcStatus.UNAUTHENTICATED);
  });
});
