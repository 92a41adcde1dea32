import { connectNats, KV_BUCKETS, openKvBucket, type NatsConnection } from '@ai-gateway/nats';
import { startNatsServer, type NatsServerHandle } from '@ai-gateway/testing';
import type { LimitOperation, OperationResult, Policy } from './limit-state';
import { ReservationStore } from './reservation.store';

function granted(result: OperationResult): boolean {
  return 'granted' in result && result.granted;
}

describe('ReservationStore on a real nats-server, two replicas', () => {
  let nats: NatsServerHandle;
  let connections: NatsConnection[];
  let replicas: ReservationStore[];
  let now = Date.parse('2026-12-02T15:30:00Z');

  beforeAll(async () => {
    nats = await startNatsServer();
    connections = [await connectNats(nats.url, 'replica-a'), await connectNats(nats.url, 'replica-b')];
    replicas = await Promise.all(connections.map(async (nc) => new ReservationStore(await openKvBucket(nc, KV_BUCKETS.limits, 1, 1), () => now)));
  });

  afterAll(async () => {
    for (const nc of connections) await nc.drain();
    await nats.dispose();
  });

  const reserve = (requestId: string, policy: Policy, usd = 0.0015, expiresAtMs = now + 60_000): LimitOperation => ({
    kind: 'reserve',
    requestId,
    usd,
    tokens: 100,
    expiresAtMs,
    policy,
  });

  it('grants exactly 20 of 200 parallel reservations against a budget for 20, across both replicas', async () => {
    const policy: Policy = { budget: { amountUsd: 20 * 0.0015, period: 'month' } };
    const results = await Promise.all(Array.from({ length: 200 }, (_, i) => replicas[i % 2].apply('team.race', reserve(`req-${i}`, policy))));
    const winners = results.map((r, i) => (granted(r) ? i : -1)).filter((i) => i >= 0);
    expect(winners).toHaveLength(20);
    const refusals = results.filter((r) => !granted(r));
    expect(refusals.every((r) => 'refusal' in r && r.refusal.limit === 'budget')).toBe(true);
    const stored = await replicas[0].read('team.race');
    expect(Object.keys(stored?.reservations ?? {}).sort()).toEqual(winners.map((i) => `req-${i}`).sort());
  });

  it('holds a concurrency limit across replicas and frees a slot when a request settles', async () => {
    const policy: Policy = { limits: { rpm: 0, tpm: 0, concurrent: 5 } };
    const results = await Promise.all(Array.from({ length: 60 }, (_, i) => replicas[i % 2].apply('key.concurrent', reserve(`c-${i}`, policy))));
    const winner = results.findIndex(granted);
    expect(results.filter(granted)).toHaveLength(5);
    await replicas[1].apply('key.concurrent', { kind: 'settle', requestId: `c-${winner}`, costUsd: 0.001, tokens: 50, model: 'gpt-4o', provider: 'openai' });
    expect(granted(await replicas[0].apply('key.concurrent', reserve('after', policy)))).toBe(true);
    expect(granted(await replicas[1].apply('key.concurrent', reserve('after-2', policy)))).toBe(false);
  });

  it('holds an RPM limit across replicas within the minute window', async () => {
    const policy: Policy = { limits: { rpm: 30, tpm: 0, concurrent: 0 } };
    const results = await Promise.all(Array.from({ length: 100 }, (_, i) => replicas[i % 2].apply('key.rpm', reserve(`r-${i}`, policy))));
    expect(results.filter(granted)).toHaveLength(30);
    now += 60_000;
    expect(granted(await replicas[1].apply('key.rpm', reserve('next-minute', policy)))).toBe(true);
  });

  it('lets the reservations of a replica that died expire, so they stop counting', async () => {
    const policy: Policy = { budget: { amountUsd: 0.003, period: 'total' } };
    const dying = replicas[0];
    expect(granted(await dying.apply('key.expiry', reserve('orphan-1', policy, 0.0015, now + 5_000)))).toBe(true);
    expect(granted(await dying.apply('key.expiry', reserve('orphan-2', policy, 0.0015, now + 5_000)))).toBe(true);
    expect(granted(await replicas[1].apply('key.expiry', reserve('blocked', policy)))).toBe(false);
    now += 5_000;
    expect(granted(await replicas[1].apply('key.expiry', reserve('after-expiry', policy)))).toBe(true);
    const stored = await replicas[1].read('key.expiry');
    expect(Object.keys(stored?.reservations ?? {})).toEqual(['after-expiry']);
    expect(stored?.spentUsd).toBe(0);
  });

  it('adds up settled spend exactly across replicas (no lost update)', async () => {
    await Promise.all(
      Array.from({ length: 100 }, (_, i) =>
        replicas[i % 2].apply('team.spend', { kind: 'settle', requestId: `s-${i}`, costUsd: 0.25, tokens: 1, model: i % 2 ? 'gpt-4o' : 'claude-3-5-sonnet', provider: 'p' }),
      ),
    );
    const stored = await replicas[0].read('team.spend');
    expect(stored?.spentUsd).toBe(25);
    expect(stored?.byModel).toEqual({ 'gpt-4o': 12.5, 'claude-3-5-sonnet': 12.5 });
  });

  it('forgets a removed subject, and a late settlement starts a fresh entry on any replica', async () => {
    await replicas[0].apply('team.gone', reserve('g-1', { budget: { amountUsd: 1, period: 'total' } }));
    await replicas[1].remove('team.gone');
    expect(await replicas[0].read('team.gone')).toBeUndefined();
    await replicas[0].apply('team.gone', { kind: 'settle', requestId: 'g-1', costUsd: 0.5, tokens: 1, model: 'gpt-4o', provider: 'openai' });
    expect(await replicas[1].read('team.gone')).toMatchObject({ spentUsd: 0.5, reservations: {} });
  });

  it('loses no operation under heavy contention: 1000 reservations and their 1000 settlements, interleaved across replicas', async () => {
    const policy: Policy = { limits: { rpm: 0, tpm: 0, concurrent: 100_000 } };
    const reserved = await Promise.all(Array.from({ length: 1000 }, (_, i) => replicas[i % 2].apply('team.busy', reserve(`b-${i}`, policy))));
    expect(reserved.every(granted)).toBe(true);
    await Promise.all(
      Array.from({ length: 1000 }, (_, i) =>
        replicas[(i + 1) % 2].apply('team.busy', { kind: 'settle', requestId: `b-${i}`, costUsd: 0.001, tokens: 10, model: 'gpt-4o', provider: 'openai' }),
      ),
    );
    const stored = await replicas[0].read('team.busy');
    expect(stored?.reservations).toEqual({});
    expect(stored?.spentUsd).toBeCloseTo(1, 9);
  });
});
