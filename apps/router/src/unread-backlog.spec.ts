import { UnreadBacklog } from './unread-backlog';

describe('UnreadBacklog', () => {
  it('counts what was produced and not yet handed to the call’s writer', () => {
    const writes: unknown[] = [];
    const call = { write: (value: unknown) => (writes.push(value), true) };
    const backlog = new UnreadBacklog(call as never, 100);
    const chunk = (n: number) => ({ chunk: new Uint8Array(n) });
    expect(backlog.add(60)).toBe(false);
    expect(backlog.add(60)).toBe(true);
    call.write(chunk(60));
    expect(backlog.add(30)).toBe(false);
    call.write({ route: {} });
    expect(backlog.add(40)).toBe(true);
    expect(writes).toHaveLength(2);
  });

  it('never cuts a call it cannot observe', () => {
    expect(new UnreadBacklog(undefined, 1).add(1_000)).toBe(false);
  });
});
