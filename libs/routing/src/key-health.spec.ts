import { chooseKey, KeyHealth, keyOrder } from './key-health';

const key = (id: string, version = 1) => ({ provider: 'openai', id, version });

describe('KeyHealth', () => {
  let now = 1_000;
  const health = (): KeyHealth => new KeyHealth(() => now);
  beforeEach(() => {
    now = 1_000;
  });

  it('cools a key down for its Retry-After, then lets it be used again', () => {
    const h = health();
    h.coolDown(key('a'), 2_000);
    expect(h.coolingFor(key('a'))).toBe(2_000);
    now += 1_999;
    expect(h.coolingFor(key('a'))).toBe(1);
    now += 1;
    expect(h.coolingFor(key('a'))).toBe(0);
  });

  it('keeps a failing key failing until it is rotated or works again', () => {
    const h = health();
    h.markFailing(key('a'), 401);
    expect(h.isFailing(key('a'))).toBe(true);
    expect(h.failing()).toEqual([{ provider: 'openai', keyId: 'a', status: 401, since: 1_000 }]);
    expect(h.isFailing(key('a', 2))).toBe(false);
    expect(h.failing()).toEqual([]);
    h.markFailing(key('b'), 403);
    h.markWorking(key('b'));
    expect(h.isFailing(key('b'))).toBe(false);
    h.markFailing(key('c'), 401);
    h.retain([key('a')]);
    expect(h.failing()).toEqual([]);
  });

  it('chooses a working key round robin, skips cooling keys, and a failing key only as the last resort', () => {
    const h = health();
    const keys = [key('a'), key('b'), key('c')];
    expect(chooseKey(keys, 1, h).key?.id).toBe('b');
    h.coolDown(key('b'), 500);
    expect(chooseKey(keys, 1, h).key?.id).toBe('c');
    h.markFailing(key('c'), 401);
    expect(chooseKey(keys, 1, h).key?.id).toBe('a');
    h.markFailing(key('a'), 401);
    h.markFailing(key('b'), 401);
    expect(chooseKey(keys, 1, h)).toEqual({ key: key('c'), coolingMs: 0 });
    h.coolDown(key('a'), 300);
    h.coolDown(key('c'), 900);
    expect(chooseKey(keys, 0, h)).toEqual({ key: undefined, coolingMs: 300 });
    expect(chooseKey([], 0, h)).toEqual({ key: undefined, coolingMs: 0 });
  });

  it('chooses no failing key while a key that does not fail only cools: the wait is that key’s', () => {
    const h = health();
    const keys = [key('a'), key('b'), key('c')];
    h.markFailing(key('a'), 401);
    h.markFailing(key('c'), 403);
    h.coolDown(key('b'), 30_000);
    h.coolDown(key('c'), 1_000);
    expect(chooseKey(keys, 0, h)).toEqual({ key: undefined, coolingMs: 30_000 });
    now += 30_000;
    expect(chooseKey(keys, 0, h)).toEqual({ key: key('b'), coolingMs: 0 });
  });
});

describe('key states and selection', () => {
  let now = 10_000;
  const health = (): KeyHealth => new KeyHealth(() => now);
  beforeEach(() => {
    now = 10_000;
  });

  it('reports ok, cooling until its Retry-After passes, and failing with the status until rotated', () => {
    const h = health();
    expect(h.stateOf(key('a'))).toEqual({ status: 'ok', coolingUntil: 0, failingSince: 0, failingStatus: 0, lastLimitedAt: 0 });
    h.coolDown(key('a'), 3_000);
    expect(h.stateOf(key('a'))).toEqual({ status: 'cooling', coolingUntil: 13_000, failingSince: 0, failingStatus: 0, lastLimitedAt: 10_000 });
    now = 13_000;
    expect(h.stateOf(key('a')).status).toBe('ok');
    expect(h.stateOf(key('a')).lastLimitedAt).toBe(10_000);
    h.markFailing(key('b'), 401);
    expect(h.stateOf(key('b'))).toEqual({ status: 'failing', coolingUntil: 0, failingSince: 13_000, failingStatus: 401, lastLimitedAt: 0 });
    expect(h.stateOf(key('b', 2)).status).toBe('ok');
  });

  it('round robin keeps the turn order; least_recently_limited puts never-limited keys first, then the oldest 429', () => {
    const h = health();
    const keys = [key('a'), key('b'), key('c')];
    expect(keyOrder(keys, 1, h).map((k) => k.id)).toEqual(['b', 'c', 'a']);
    h.coolDown(key('b'), 0);
    now += 1;
    h.coolDown(key('a'), 0);
    expect(keyOrder(keys, 1, h, 'round_robin').map((k) => k.id)).toEqual(['b', 'c', 'a']);
    expect(keyOrder(keys, 1, h, 'least_recently_limited').map((k) => k.id)).toEqual(['c', 'b', 'a']);
    expect(keyOrder(keys, 0, h, 'least_recently_limited').map((k) => k.id)).toEqual(['c', 'b', 'a']);
  });

  it('least_recently_limited still shares traffic among keys never limited', () => {
    const h = health();
    const keys = [key('a'), key('b')];
    expect(keyOrder(keys, 0, h, 'least_recently_limited')[0].id).toBe('a');
    expect(keyOrder(keys, 1, h, 'least_recently_limited')[0].id).toBe('b');
  });

  it('stops cooling a key rotated after its 429: the Retry-After was the old secret’s', () => {
    const h = health();
    h.coolDown(key('a'), 300_000);
    h.coolDown(key('b'), 300_000);
    h.retain([key('a', 2), key('b')]);
    now += 1_000;
    expect(h.coolingFor(key('a', 2))).toBe(0);
    expect(h.stateOf(key('a', 2)).status).toBe('ok');
    expect(h.coolingFor(key('b'))).toBe(299_000);
    // Before the pool is re-read, the new version is not held to the old one's wait either.
    h.coolDown(key('c'), 300_000);
    expect(h.coolingFor(key('c', 2))).toBe(0);
  });

  it('forgets the 429 history of a deleted key', () => {
    const h = health();
    h.coolDown(key('a'), 1_000);
    h.retain([key('b')]);
    expect(h.stateOf(key('a'))).toEqual({ status: 'ok', coolingUntil: 0, failingSince: 0, failingStatus: 0, lastLimitedAt: 0 });
  });
});
