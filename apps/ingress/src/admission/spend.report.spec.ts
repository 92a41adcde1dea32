import type { Team } from '@ai-gateway/proto';
import { applyOperation, emptyState, type LimitState } from './limit-state';
import { SpendReport } from './spend.report';

const NOW = Date.parse('2026-12-02T15:30:00Z');
const team: Team = { id: 'team_1', name: 'search', allowedModels: [], createdAt: '', budget: { amountUsd: 10, period: 'day' } };

function reportOver(state: LimitState | undefined, now = NOW): SpendReport {
  return new SpendReport({ read: () => Promise.resolve(state && (JSON.parse(JSON.stringify(state)) as LimitState)), remove: () => Promise.resolve() }, () => now);
}

describe('SpendReport', () => {
  const state = emptyState('day:2026-12-02', NOW);
  applyOperation(state, { kind: 'settle', requestId: 'a', costUsd: 3, tokens: 1, model: 'gpt-4o', provider: 'openai' }, NOW);
  applyOperation(state, { kind: 'reserve', requestId: 'b', usd: 2, tokens: 1, expiresAtMs: NOW + 60_000, policy: { budget: team.budget } }, NOW);

  it('reports this period’s spend, reservations and what is left of the budget', async () => {
    expect(await reportOver(state).ofTeam(team)).toEqual({
      spentUsd: 3,
      reservedUsd: 2,
      budget: 10,
      period: 'day',
      remainingUsd: 5,
      resetsAt: '2026-12-03T00:00:00.000Z',
      inFlight: 1,
      byModel: { 'gpt-4o': 3 },
      byProvider: { openai: 3 },
    });
  });

  it('reports a new period from zero before anything was written in it, and expired reservations as gone', async () => {
    const tomorrow = Date.parse('2026-12-03T09:00:00Z');
    expect(await reportOver(state, tomorrow).ofTeam(team)).toMatchObject({ spentUsd: 0, reservedUsd: 0, inFlight: 0, remainingUsd: 10, byModel: {} });
  });

  it('reports a team never admitted as nothing spent, and one without a budget without budget figures', async () => {
    expect(await reportOver(undefined).ofTeam({ ...team, budget: undefined })).toMatchObject({ spentUsd: 0, budget: null, period: null, remainingUsd: null, resetsAt: null });
  });
});
