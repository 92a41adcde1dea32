import { SeenIdsCache } from './seen-ids.cache';

describe('SeenIdsCache', () => {
  it('forgets the oldest ids beyond its capacity', () => {
    const cache = new SeenIdsCache(3, 60_000);
    ['a', 'b', 'c', 'd'].forEach((id) => cache.add(id));
    expect(['a', 'b', 'c', 'd'].map((id) => cache.has(id))).toEqual([false, true, true, true]);
    expect(cache.size()).toBe(3);
  });

  it('forgets ids older than its TTL', () => {
    let now = 0;
    const cache = new SeenIdsCache(100, 1_000, () => now);
    cache.add('a');
    now = 600;
    cache.add('b');
    now = 1_001;
    expect([cache.has('a'), cache.has('b')]).toEqual([false, true]);
  });
});
