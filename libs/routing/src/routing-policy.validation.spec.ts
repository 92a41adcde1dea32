import { parseRoutingPolicies, RoutingPolicyError } from './routing-policy.validation';
import { routingPoliciesFromProto, routingPoliciesToProto } from './routing-policy.proto-mapping';

const providers = new Set(['openai', 'azure']);

function problem(value: unknown): { message: string; param: string } {
  try {
    parseRoutingPolicies(value, providers);
  } catch (error) {
    if (error instanceof RoutingPolicyError) return { message: error.message, param: error.param };
    throw error;
  }
  throw new Error('accepted');
}

describe('parseRoutingPolicies', () => {
  it('accepts the CONTRACT.md shape and defaults to priority', () => {
    const body = {
      default: { strategy: 'latency' },
      models: { 'gpt-4o': { strategy: 'weighted', weights: { openai: 3, azure: 1 }, hedge: { afterMs: 800 } }, 'gpt-4o-mini': { strategy: 'cost', hedge: { afterMs: 'p95', maxShare: 0.5 } } },
    };
    expect(parseRoutingPolicies(body, providers)).toEqual(body);
    expect(parseRoutingPolicies({}, providers)).toEqual({ default: { strategy: 'priority' }, models: {} });
  });

  it.each([
    [{ default: { strategy: 'fastest' } }, 'default.strategy'],
    [{ models: { 'gpt-4o': { strategy: 'weighted' } } }, 'models.gpt-4o.weights'],
    [{ models: { 'gpt-4o': { strategy: 'weighted', weights: { openai: 0 } } } }, 'models.gpt-4o.weights'],
    [{ models: { 'gpt-4o': { strategy: 'weighted', weights: { openai: -1 } } } }, 'models.gpt-4o.weights.openai'],
    [{ models: { 'gpt-4o': { strategy: 'weighted', weights: { openai: '3' } } } }, 'models.gpt-4o.weights.openai'],
    [{ models: { 'gpt-4o': { strategy: 'weighted', weights: { openai: 1, azure: 1e308 } } } }, 'models.gpt-4o.weights.azure'],
    [{ models: { 'gpt-4o': { strategy: 'weighted', weights: { openai: 1_000_001 } } } }, 'models.gpt-4o.weights.openai'],
    [{ models: { 'gpt-4o': { strategy: 'weighted', weights: { nobody: 1 } } } }, 'models.gpt-4o.weights.nobody'],
    [{ models: { 'gpt-4o': { strategy: 'priority', hedge: { afterMs: 0 } } } }, 'models.gpt-4o.hedge.afterMs'],
    [{ models: { 'gpt-4o': { strategy: 'priority', hedge: { afterMs: 60_001 } } } }, 'models.gpt-4o.hedge.afterMs'],
    [{ models: { 'gpt-4o': { strategy: 'priority', hedge: { afterMs: 1.5 } } } }, 'models.gpt-4o.hedge.afterMs'],
    [{ models: { 'gpt-4o': { strategy: 'priority', hedge: { afterMs: 'p99' } } } }, 'models.gpt-4o.hedge.afterMs'],
    [{ models: { 'gpt-4o': { strategy: 'priority', hedge: { afterMs: 100, maxShare: 0 } } } }, 'models.gpt-4o.hedge.maxShare'],
    [{ models: { 'gpt-4o': { strategy: 'priority', hedge: { afterMs: 100, maxShare: 1.5 } } } }, 'models.gpt-4o.hedge.maxShare'],
    [{ models: { 'gpt-4o': { strategy: 'priority', extra: 1 } } }, 'models.gpt-4o.extra'],
    [{ models: { ['m'.repeat(257)]: { strategy: 'priority' } } }, 'models'],
    [{ models: [] }, 'models'],
    [{ policies: {} }, 'policies'],
    [[], ''],
  ])('refuses %j naming %s', (body, param) => {
    expect(problem(body).param).toBe(param);
  });

  it('quotes a hostile field name bounded, in the message and the param', () => {
    const long = 'k'.repeat(100_000);
    for (const body of [{ [long]: 1 }, { default: { strategy: 'priority', [long]: 1 } }, { default: { strategy: 'latency', hedge: { afterMs: 5, [long]: 1 } } }]) {
      const refused = problem(body);
      expect(refused.message.length).toBeLessThan(400);
      expect(refused.param.length).toBeLessThan(300);
    }
  });

  it('refuses more than 1000 models', () => {
    const models = Object.fromEntries(Array.from({ length: 1001 }, (_, i) => [`m${i}`, { strategy: 'priority' }]));
    expect(problem({ models })).toEqual({ message: 'at most 1000 models may have their own policy, got 1001', param: 'models' });
  });

  it('refuses policies too large to store as one config entry', () => {
    const weights = Object.fromEntries(Array.from({ length: 200 }, (_, i) => [`provider-${'p'.repeat(200)}-${i}`, 1]));
    const models = Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`m${i}`, { strategy: 'weighted', weights }]));
    expect(() => parseRoutingPolicies({ models })).toThrow(/bytes as JSON; at most 262144/);
  });

  it('accepts weights up to a million', () => {
    expect(parseRoutingPolicies({ models: { 'gpt-4o': { strategy: 'weighted', weights: { openai: 1_000_000, azure: 0.5 } } } }, providers).models['gpt-4o'].weights).toEqual({ openai: 1_000_000, azure: 0.5 });
    expect(problem({ models: { 'gpt-4o': { strategy: 'weighted', weights: { openai: 2e6 } } } }).message).toBe('models.gpt-4o.weights.openai must be a number from 0 to 1000000');
  });

  it('keeps weights under another strategy, and accepts them all at 0 there', () => {
    expect(parseRoutingPolicies({ models: { 'gpt-4o': { strategy: 'latency', weights: { openai: 0 } } } }, providers).models['gpt-4o']).toEqual({ strategy: 'latency', weights: { openai: 0 } });
  });

  it('round-trips through the config snapshot message', () => {
    const policies = parseRoutingPolicies(
      { default: { strategy: 'availability' }, models: { 'gpt-4o': { strategy: 'weighted', weights: { openai: 3 }, hedge: { afterMs: 'p95', maxShare: 0.2 } }, x: { strategy: 'cost', hedge: { afterMs: 800 } } } },
      providers,
    );
    expect(routingPoliciesFromProto(routingPoliciesToProto(policies))).toEqual(policies);
    expect(routingPoliciesFromProto(undefined)).toEqual({ default: { strategy: 'priority' }, models: {} });
  });
});
