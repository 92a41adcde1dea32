import { getEventListeners } from 'node:events';
import { DrainCuts } from './drain-cuts';

describe('DrainCuts', () => {
  it('runs the cuts of requests still open when the drain timeout passes, and only those', () => {
    const shutdown = new AbortController();
    const cuts = new DrainCuts(shutdown.signal);
    const ran: string[] = [];
    const open = (): void => void ran.push('open');
    const ended = (): void => void ran.push('ended');
    cuts.add(open);
    cuts.add(ended);
    cuts.delete(ended);
    shutdown.abort();
    expect(ran).toEqual(['open']);
    expect(cuts.size()).toBe(0);
  });

  it('cuts a request that starts after the timeout passed at once', () => {
    const shutdown = new AbortController();
    const cuts = new DrainCuts(shutdown.signal);
    shutdown.abort();
    const cut = jest.fn();
    cuts.add(cut);
    expect(cut).toHaveBeenCalledTimes(1);
    expect(cuts.size()).toBe(0);
  });

  it('keeps one listener on the shutdown signal however many requests come and go, and holds nothing for ended ones', () => {
    const shutdown = new AbortController();
    const cuts = new DrainCuts(shutdown.signal);
    const held = Array.from({ length: 1_000 }, () => jest.fn());
    for (const cut of held) cuts.add(cut);
    expect(getEventListeners(shutdown.signal, 'abort')).toHaveLength(1);
    for (const cut of held) cuts.delete(cut);
    expect(cuts.size()).toBe(0);
    shutdown.abort();
    for (const cut of held) expect(cut).not.toHaveBeenCalled();
  });

  it('runs every cut even when a cut ends another request while the cuts run', () => {
    const shutdown = new AbortController();
    const cuts = new DrainCuts(shutdown.signal);
    const second = jest.fn();
    cuts.add(() => cuts.delete(second));
    cuts.add(second);
    shutdown.abort();
    expect(second).toHaveBeenCalledTimes(1);
  });
});
