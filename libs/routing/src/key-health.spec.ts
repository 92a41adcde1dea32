import { chooseKey, KeyHealth } from './key-health';

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
    expect(chooseKey(keys, 1, h)).toEqual({ key: key('c'), coolingMs: 0 });
    h.coolDown(key('a'), 300);
    h.coolDown(key('c'), 900);
    expect(chooseKey(keys, 0, h)).toEqual({ key: undefined, coolingMs: 300 });
    expect(chooseKey([], 0, h)).toEqual({ key: undefined, coolingMs: 0 });
  });
});
