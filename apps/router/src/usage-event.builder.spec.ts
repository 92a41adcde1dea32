import { costUsd, findModel, ProviderModelCatalog } from '@ai-gateway/model-catalog';
import type { RequestMeta, Usage } from '@ai-gateway/proto';
import type { RouteCandidate } from '@ai-gateway/routing';
import type { RouteRecord } from './route.executor';
import { usageSubjectOf } from '@ai-gateway/nats';
import { buildUsageEvent } from './usage-event.builder';

const meta = { requestId: 'r1', apiKeyId: 'k', model: 'gpt-4o', stream: true, includeUsage: true, deadlineMs: 0, correlationId: '' } as RequestMeta;
const catalog = ProviderModelCatalog.fromSnapshot({ providers: [] });
const served = { providerId: 'backup', kind: 'openai', model: 'gpt-4o' } as RouteCandidate;
function gpt4o() {
  const model = findModel('gpt-4o', 'openai');
  if (!model) throw new Error('gpt-4o is not in the catalog');
  return model;
}
const usage = (prompt: number, completion: number): Usage => ({ promptTokens: prompt, completionTokens: completion, totalTokens: prompt + completion, cachedPromptTokens: 0, reasoningTokens: 0 });

describe('buildUsageEvent for a hedged request', () => {
  it('lists both legs, says hedged, and counts the losing leg’s reported tokens in the cost', () => {
    const record: RouteRecord = {
      attempts: [
        { provider: 'openai', providerKind: 'openai', model: 'gpt-4o', outcome: 'hedge_lost', status: 0, latencyMs: 200, hedge: true, usage: usage(1_000, 0) },
        { provider: 'backup', providerKind: 'openai', model: 'gpt-4o', outcome: 'success', status: 200, latencyMs: 120, hedge: true },
      ],
      served,
      usage: usage(1_000, 50),
      hedged: true,
    };
    const event = buildUsageEvent('chat', meta, record, { httpStatus: 200, errorType: '', cancelled: false }, 0, 300, catalog);
    const winner = costUsd(gpt4o(), { promptTokens: 1_000, completionTokens: 50, cachedPromptTokens: 0 });
    const loser = costUsd(gpt4o(), { promptTokens: 1_000, completionTokens: 0, cachedPromptTokens: 0 });
    expect(loser).toBeGreaterThan(0);
    expect(event.costUsd).toBeCloseTo(winner + loser, 12);
    expect(event.hedged).toBe(true);
    expect(event.provider).toBe('backup');
    expect(event.attempts.map((a) => a.outcome)).toEqual(['hedge_lost', 'success']);
  });

  it('leaves hedged unset and the cost the served attempt’s alone for a request without a hedge', () => {
    const record: RouteRecord = { attempts: [{ provider: 'backup', providerKind: 'openai', model: 'gpt-4o', outcome: 'success', status: 200, latencyMs: 120 }], served, usage: usage(10, 5) };
    const event = buildUsageEvent('chat', meta, record, { httpStatus: 200, errorType: '', cancelled: false }, 0, 300, catalog);
    expect(event.hedged).toBeUndefined();
    expect(event.costUsd).toBeCloseTo(costUsd(gpt4o(), { promptTokens: 10, completionTokens: 5, cachedPromptTokens: 0 }), 12);
  });
});

describe('buildUsageEvent for a request admitted against limits', () => {
  const record: RouteRecord = { attempts: [{ provider: 'backup', providerKind: 'openai', model: 'gpt-4o', outcome: 'success', status: 200, latencyMs: 120 }], served, usage: usage(10, 5) };

  it('marks the event reserved when ingress did, so it is published where spend settles from', () => {
    const event = buildUsageEvent('chat', { ...meta, reserved: true, teamId: 'team_1' }, record, { httpStatus: 200, errorType: '', cancelled: false }, 0, 300, catalog);
    expect(event.reserved).toBe(true);
    expect(event.teamId).toBe('team_1');
    expect(usageSubjectOf(event)).toBe('gateway.usage.v1.reserved');
  });

  it('leaves it unset otherwise: the event goes to the subject spend settling never reads', () => {
    const event = buildUsageEvent('chat', meta, record, { httpStatus: 200, errorType: '', cancelled: false }, 0, 300, catalog);
    expect(event.reserved).toBeUndefined();
    expect(usageSubjectOf(event)).toBe('gateway.usage.v1');
  });
});

describe('buildUsageEvent with the model name a provider reported', () => {
  const record = (responseModel: string): RouteRecord => ({
    attempts: [{ provider: 'backup', providerKind: 'openai', model: 'gpt-4o', outcome: 'success', status: 200, latencyMs: 10 }],
    served,
    responseModel,
  });
  const reported = (responseModel: string) => buildUsageEvent('chat', meta, record(responseModel), { httpStatus: 200, errorType: '', cancelled: false }, 0, 10, catalog).responseModel;

  it('keeps a plausible name', () => {
    expect(reported('gpt-4o-2024-08-06')).toBe('gpt-4o-2024-08-06');
  });

  it.each([
    ['2 MB long (the event would be too large for NATS, and lost)', 'm'.repeat(2 * 1024 * 1024)],
    ['with a line break (it also becomes the x-gateway-model header)', 'gpt-4o\r\nset-cookie: a=b'],
    ['beyond ASCII (Node refuses it in a header)', 'gpt-4o-模型'],
  ])('records the model asked for instead of a name %s', (_case, name) => {
    expect(reported(name)).toBe('gpt-4o');
  });
});
