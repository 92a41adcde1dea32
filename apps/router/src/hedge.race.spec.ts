import type { ResolvedKey } from '@ai-gateway/proto';
import { CLOSED_CIRCUIT_PASS, type RouteCandidate } from '@ai-gateway/routing';
import type { AttemptTrace } from './attempt.trace';
import { HedgeRace, runRace, type Leg } from './hedge.race';

function leg(name: string, isHedge = false): Leg & { cancelled: () => boolean } {
  let cancelled = false;
  return {
    candidate: { providerId: name } as RouteCandidate,
    key: { provider: name, id: name, version: 1 } as ResolvedKey,
    breakerKey: name,
    pass: CLOSED_CIRCUIT_PASS,
    trace: {} as AttemptTrace,
    signal: new AbortController().signal,
    observed: {},
    settled: false,
    lost: false,
    isHedge,
    cancel: () => (cancelled = true),
    cancelled: () => cancelled,
  };
}

function deferred<T>(): { promise: Promise<T>; resolve: (value: T) => void; reject: (error: unknown) => void } {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => ((resolve = res), (reject = rej)));
  return { promise, resolve, reject };
}

describe('runRace', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('the first claim wins: the other leg is cancelled and reported lost (with the winner), its own rejection ignored', async () => {
    const lost: string[] = [];
    const race = new HedgeRace((l, winner) => lost.push(`${l.candidate.providerId} lost to ${winner.candidate.providerId}`));
    const first = leg('a');
    const second = leg('b', true);
    const firstDone = deferred<string>();
    const secondDone = deferred<string>();
    race.join(first);
    const ended = runRace(race, first, firstDone.promise, { afterMs: 0, start: () => (race.join(second), { leg: second, done: secondDone.promise }) }, new AbortController().signal);
    await jest.advanceTimersByTimeAsync(1);
    expect(race.hedged).toBe(true);
    expect(race.claim(second)).toBe(true);
    expect(race.claim(first)).toBe(false);
    secondDone.resolve('b answered');
    firstDone.reject(new Error('cancelled'));
    const end = await ended;
    expect(end.leg).toBe(second);
    expect(end.outcome).toEqual({ ok: true, result: 'b answered' });
    expect(end.earlier).toEqual([]);
    expect(lost).toEqual(['a lost to b']);
    expect(first.cancelled()).toBe(true);
  });

  it('a leg failing while the other runs is kept as earlier; when both fail, the first leg decides', async () => {
    const race = new HedgeRace(() => undefined);
    const first = leg('a');
    const second = leg('b', true);
    const firstDone = deferred<string>();
    const secondDone = deferred<string>();
    race.join(first);
    const ended = runRace(race, first, firstDone.promise, { afterMs: 0, start: () => (race.join(second), { leg: second, done: secondDone.promise }) }, new AbortController().signal);
    await jest.advanceTimersByTimeAsync(1);
    firstDone.reject('first failed');
    await jest.advanceTimersByTimeAsync(1);
    secondDone.reject('second failed');
    const end = await ended;
    expect(end.leg).toBe(first);
    expect(end.outcome).toEqual({ ok: false, error: 'first failed' });
    expect(end.earlier).toEqual([{ leg: second, error: 'second failed' }]);
  });

  it('starts no hedge once the first leg answered, nor when the trigger has no target', async () => {
    const race = new HedgeRace(() => undefined);
    const first = leg('a');
    race.join(first);
    const start = jest.fn(() => undefined);
    const end = await runRace(race, first, Promise.resolve('fast'), { afterMs: 1_000, start }, new AbortController().signal);
    expect(end.outcome).toEqual({ ok: true, result: 'fast' });
    expect(start).not.toHaveBeenCalled();

    const slow = deferred<string>();
    const alone = leg('c');
    const race2 = new HedgeRace(() => undefined);
    race2.join(alone);
    const ended = runRace(race2, alone, slow.promise, { afterMs: 0, start }, new AbortController().signal);
    await jest.advanceTimersByTimeAsync(1);
    expect(start).toHaveBeenCalledTimes(1);
    expect(race2.hedged).toBe(false);
    slow.resolve('late');
    expect((await ended).outcome).toEqual({ ok: true, result: 'late' });
  });
});
