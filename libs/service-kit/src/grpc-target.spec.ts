import { readEnv } from './env';
import { balancedServiceConfig, grpcAddressProblem, grpcTarget } from './grpc-target';

describe('grpc targets: one service address, or its replicas', () => {
  it.each([
    ['router:50051', { target: 'router:50051', balanced: false }],
    ['127.0.0.1:50051,127.0.0.1:50061', { target: 'ipv4:127.0.0.1:50051,127.0.0.1:50061', balanced: true }],
    ['10.0.0.1:1, 10.0.0.2:1', { target: 'ipv4:10.0.0.1:1,10.0.0.2:1', balanced: true }],
    ['[::1]:50051,[::1]:50061', { target: 'ipv6:[::1]:50051,[::1]:50061', balanced: true }],
    ['dns:///router-headless.gateway.svc:50051', { target: 'dns:///router-headless.gateway.svc:50051', balanced: true }],
  ])('%s', (value, expected) => {
    expect(grpcAddressProblem(value)).toBeUndefined();
    expect(grpcTarget(value)).toEqual(expected);
  });

  it.each([
    ['router', /host:port/],
    ['router-a:1,router-b:1', /dns:\/\/\/host:port/],
    ['127.0.0.1:1,[::1]:1', /one family/],
    ['dns:///router', /dns:\/\/\/host:port/],
    ['127.0.0.1:1,', /one family/],
  ])('refuses %j', (value, reason) => {
    expect(grpcAddressProblem(value)).toMatch(reason);
    expect(() => readEnv({ ROUTER_URL: { type: 'hostport', required: true } }, { ROUTER_URL: value })).toThrow(reason);
  });

  it('spreads calls by round robin, and retries only the named service, only on UNAVAILABLE, once', () => {
    expect(JSON.parse(balancedServiceConfig(undefined))).toEqual({ loadBalancingConfig: [{ round_robin: {} }] });
    const withRetry = JSON.parse(balancedServiceConfig({ service: 'gateway.v1.RouterService' })) as {
      methodConfig: Array<{ name: Array<{ service: string }>; retryPolicy: { maxAttempts: number; retryableStatusCodes: string[] } }>;
    };
    expect(withRetry.methodConfig).toHaveLength(1);
    expect(withRetry.methodConfig[0].name).toEqual([{ service: 'gateway.v1.RouterService' }]);
    expect(withRetry.methodConfig[0].retryPolicy).toMatchObject({ maxAttempts: 2, retryableStatusCodes: ['UNAVAILABLE'] });
  });
});
