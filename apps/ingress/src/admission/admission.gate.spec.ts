import type { ApiKey, Team } from '@ai-gateway/proto';
import { DEFAULT_MODEL_INDEX } from '@ai-gateway/model-catalog';
import { AdmissionGate } from './admission.gate';
import type { RequestAdmission } from './request-admission';

/** The gate over an admission that records what it was asked, and a directory holding `teams`. */
function gate(teams: Team[]) {
  const admitted: string[] = [];
  const admission = {
    applies: (key: ApiKey) => key.teamId !== '',
    admit: (key: ApiKey) => {
      admitted.push(key.id);
      return Promise.resolve({ admitted: true });
    },
  } as unknown as RequestAdmission;
  const directory = {
    team: (id: string) => teams.find((team) => team.id === id),
    fallbackMap: () => ({}),
    modelCatalog: () => ({ index: DEFAULT_MODEL_INDEX }),
  } as never;
  return { gate: new AdmissionGate(admission, directory, { defaultMaxTokens: 16, settleGraceMs: 1_000 }), admitted };
}

const request = (teamId: string) => ({
  key: { id: `key_${teamId || 'none'}`, teamId } as ApiKey,
  model: 'gpt-4o',
  operation: 'chat' as const,
  body: { model: 'gpt-4o', messages: [{ role: 'user', content: 'Hi' }] },
  requestId: 'req-1',
  deadlineMs: Date.now() + 60_000,
});

describe('AdmissionGate', () => {
  it("refuses a key whose team no longer exists (created while the team was deleted) instead of admitting it without the team's checks", async () => {
    const { gate: admission, admitted } = gate([]);
    const refusal = await admission.check(request('team_gone'));
    expect(refusal).toMatchObject({ status: 403, body: { error: { code: 'team_not_found', type: 'permission_error' } } });
    expect(admitted).toEqual([]);
  });

  it("admits a key of a team that exists through the team's checks", async () => {
    const { gate: admission, admitted } = gate([{ id: 'team_a', name: 'a', allowedModels: [] } as unknown as Team]);
    expect(await admission.check(request('team_a'))).toBeUndefined();
    expect(admitted).toEqual(['key_team_a']);
  });
});
