import { connectNats, KV_BUCKETS, openKvBucket, type NatsConnection } from '@ai-gateway/nats';
import type { ApiKey, Team } from '@ai-gateway/proto';
import { startNatsServer, type NatsServerHandle } from '@ai-gateway/testing';
import { keySubject, RequestAdmission, teamSubject } from './request-admission';
import { ReservationStore } from './reservation.store';
import { settle } from './spend.settler';

function key(fields: Partial<ApiKey>): ApiKey {
  return { id: 'key_a', name: 'bot', keySha256: '', allowedModels: [], createdAt: '', teamId: '', expiresAt: '', ...fields };
}

describe('RequestAdmission on a real nats-server', () => {
  let nats: NatsServerHandle;
  let nc: NatsConnection;
  let store: ReservationStore;
  let admission: RequestAdmission;
  const estimate = { usd: 0.01, tokens: 100 };

  beforeAll(async () => {
    nats = await startNatsServer();
    nc = await connectNats(nats.url, 'admission');
    store = new ReservationStore(await openKvBucket(nc, KV_BUCKETS.limits, 1, 1));
    admission = new RequestAdmission(store);
  });

  afterAll(async () => {
    await nc.drain();
    await nats.dispose();
  });

  it('rolls back the key’s grant when the team refuses, so the refused request counts against neither', async () => {
    const team: Team = { id: 'team_full', name: 'full', allowedModels: [], createdAt: '', budget: { amountUsd: 0.005, period: 'day' } };
    const own = key({ id: 'key_rollback', teamId: team.id, limits: { rpm: 1, tpm: 0, concurrent: 0 } });
    const outcome = await admission.admit(own, team, 'req-1', estimate, 60_000);
    expect(outcome).toMatchObject({ admitted: false, refusal: { limit: 'budget' }, holder: { kind: 'team', id: 'team_full' } });
    const keyState = await store.read(keySubject(own.id));
    expect(keyState?.reservations).toEqual({});
    expect(keyState?.window.requests).toBe(0);
  });

  it('settles the actual cost on the key and on the team the request reserved against, even after the key moved', async () => {
    const team: Team = { id: 'team_a', name: 'a', allowedModels: [], createdAt: '' };
    const own = key({ id: 'key_settle', teamId: team.id, budget: { amountUsd: 1, period: 'total' } });
    expect(await admission.admit(own, team, 'req-2', estimate, 60_000)).toEqual({ admitted: true });
    expect(Object.keys((await store.read(teamSubject(team.id)))?.reservations ?? {})).toEqual(['req-2']);
    const moved = key({ ...own, teamId: 'team_b' });
    await settle(store, { keyById: () => moved }, { requestId: 'req-2', apiKeyId: own.id, costUsd: 0.004, tokens: 40, model: 'gpt-4o', provider: 'openai', startedAtMs: 0, teamId: '' });
    const teamState = await store.read(teamSubject(team.id));
    expect(teamState).toMatchObject({ spentUsd: 0.004, reservations: {} });
    expect((await store.read(keySubject(own.id)))?.spentUsd).toBe(0.004);
    expect(await store.read(teamSubject('team_b'))).toBeUndefined();
  });

  describe('each request is charged once, however often its event is delivered', () => {
    const GRACE_MS = 60_000;
    const team: Team = { id: 'team_once', name: 'once', allowedModels: [], createdAt: '' };
    const own = key({ id: 'key_once', teamId: team.id, budget: { amountUsd: 10, period: 'total' } });
    const settlement = (requestId: string, startedAtMs = Date.now()) => ({ requestId, apiKeyId: own.id, costUsd: 0.5, tokens: 40, model: 'gpt-4o', provider: 'openai', startedAtMs, teamId: team.id });
    const spent = async () => ({ key: (await store.read(keySubject(own.id)))?.spentUsd, team: (await store.read(teamSubject(team.id)))?.spentUsd });

    it('charges an event delivered again (its acknowledgement lost) nothing more', async () => {
      const before = await spent();
      expect(await admission.admit(own, team, 'req-twice', estimate, 60_000)).toEqual({ admitted: true });
      await settle(store, { keyById: () => own }, settlement('req-twice'), GRACE_MS);
      await settle(store, { keyById: () => own }, settlement('req-twice'), GRACE_MS);
      const after = await spent();
      expect(after.key).toBeCloseTo((before.key ?? 0) + 0.5, 9);
      expect(after.team).toBeCloseTo((before.team ?? 0) + 0.5, 9);
    });

    it("charges the team once when its settlement failed after the key's and the event came again", async () => {
      const before = await spent();
      expect(await admission.admit(own, team, 'req-half', estimate, 60_000)).toEqual({ admitted: true });
      // The key's settlement landed; the team's did not (NATS away): the event is delivered again.
      const { apiKeyId: _unused, startedAtMs, teamId: _team, ...fields } = settlement('req-half');
      await store.apply(keySubject(own.id), { kind: 'settle', ...fields, reservedAtLeastUntilMs: startedAtMs + GRACE_MS });
      await settle(store, { keyById: () => own }, settlement('req-half'), GRACE_MS);
      const after = await spent();
      expect(after.key).toBeCloseTo((before.key ?? 0) + 0.5, 9);
      expect(after.team).toBeCloseTo((before.team ?? 0) + 0.5, 9);
      expect((await store.read(teamSubject(team.id)))?.reservations['req-half']).toBeUndefined();
    });

    it('charges the team and frees its slot when the key was deleted while the request ran', async () => {
      const before = await spent();
      expect(await admission.admit(own, team, 'req-orphan', estimate, 60_000)).toEqual({ admitted: true });
      expect(Object.keys((await store.read(teamSubject(team.id)))?.reservations ?? {})).toContain('req-orphan');
      await settle(store, { keyById: () => undefined }, settlement('req-orphan'), GRACE_MS);
      const teamState = await store.read(teamSubject(team.id));
      expect(teamState?.reservations['req-orphan']).toBeUndefined();
      expect(teamState?.spentUsd).toBeCloseTo((before.team ?? 0) + 0.5, 9);
    });

    it('still charges an event that comes after its reservation could have expired (late events count)', async () => {
      const before = await spent();
      await settle(store, { keyById: () => own }, settlement('req-late', Date.now() - GRACE_MS - 1_000), GRACE_MS);
      const after = await spent();
      expect(after.key).toBeCloseTo((before.key ?? 0) + 0.5, 9);
      expect(after.team).toBeCloseTo((before.team ?? 0) + 0.5, 9);
    });
  });

  it('writes nothing for a key without a team, budget or limits', async () => {
    const plain = key({ id: 'key_plain' });
    expect(admission.applies(plain)).toBe(false);
    await settle(store, { keyById: () => plain }, { requestId: 'req-3', apiKeyId: plain.id, costUsd: 1, tokens: 1, model: 'm', provider: 'p', startedAtMs: 0, teamId: '' });
    expect(await store.read(keySubject(plain.id))).toBeUndefined();
  });
});
