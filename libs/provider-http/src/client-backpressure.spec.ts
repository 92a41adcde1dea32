import { EventEmitter } from 'node:events';
import { Writable } from 'node:stream';
import { whenWritable } from './client-backpressure';
import { UpstreamAttempt } from './upstream-attempt';

/** A Writable like a grpc-js server call: objectMode, a small buffer, writes completed on demand. */
function slowCall(): { call: Writable; release: () => void } {
  const pending: Array<() => void> = [];
  const call = new Writable({
    objectMode: true,
    highWaterMark: 2,
    write: (_chunk, _encoding, callback) => pending.push(callback),
  });
  return { call, release: () => pending.splice(0).forEach((callback) => callback()) };
}

describe('whenWritable', () => {
  it('is undefined while the call can take more', () => {
    const { call } = slowCall();
    call.write({ chunk: 1 });
    expect(whenWritable(call, new AbortController().signal)).toBeUndefined();
  });

  it('waits for drain once the call buffered its high-water mark', async () => {
    const { call, release } = slowCall();
    for (let i = 0; i < 3; i++) call.write({ chunk: i });
    const waiting = whenWritable(call, new AbortController().signal);
    expect(waiting).toBeDefined();
    let resolved = false;
    void waiting?.then(() => (resolved = true));
    await Promise.resolve();
    expect(resolved).toBe(false);
    // The reader catches up: each completed write lets the next one start.
    for (let i = 0; i < 10 && !resolved; i++) {
      release();
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(resolved).toBe(true);
    expect(call.listenerCount('drain')).toBe(0);
  });

  it('stops waiting when the attempt ends or the call is cancelled', async () => {
    const controller = new AbortController();
    const call = Object.assign(new EventEmitter(), { writableNeedDrain: true });
    const waiting = whenWritable(call, controller.signal);
    controller.abort();
    await waiting;
    const cancelled = whenWritable(call, new AbortController().signal);
    call.emit('cancelled');
    await cancelled;
    expect(call.listenerCount('drain')).toBe(0);
  });
});

describe('UpstreamAttempt.holdFor', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('suspends the idle limit while our reader is slow, then restarts it in full', async () => {
    const attempt = new UpstreamAttempt({ headersMs: 100, firstTokenMs: 100, idleMs: 50, deadlineUnixMs: 0 });
    attempt.answered(true);
    attempt.firstToken();
    let release: () => void = () => undefined;
    const held = attempt.holdFor(new Promise<void>((resolve) => (release = resolve)));
    jest.advanceTimersByTime(10_000);
    expect(attempt.signal.aborted).toBe(false);
    release();
    await held;
    jest.advanceTimersByTime(49);
    expect(attempt.signal.aborted).toBe(false);
    jest.advanceTimersByTime(1);
    expect(attempt.signal.reason).toMatchObject({ phase: 'idle' });
  });
});
