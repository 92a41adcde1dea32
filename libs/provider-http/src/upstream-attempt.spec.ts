import { UpstreamAttempt } from './upstream-attempt';

describe('UpstreamAttempt', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  const LIMITS = { headersMs: 100, firstTokenMs: 1_000, idleMs: 50, deadlineUnixMs: 0 };

  it('aborts with the headers phase when no headers come', () => {
    const attempt = new UpstreamAttempt(LIMITS);
    jest.advanceTimersByTime(99);
    expect(attempt.signal.aborted).toBe(false);
    jest.advanceTimersByTime(1);
    expect(attempt.signal.reason).toEqual({ kind: 'timeout', phase: 'headers', limitMs: 100 });
  });

  it('waits the first-token limit after headers, whatever arrives that is no token', () => {
    const attempt = new UpstreamAttempt(LIMITS);
    attempt.answered(true);
    for (let i = 0; i < 9; i++) {
      jest.advanceTimersByTime(100);
      attempt.progress(); // pings are not tokens
    }
    expect(attempt.signal.aborted).toBe(false);
    jest.advanceTimersByTime(100);
    expect(attempt.signal.reason).toEqual({ kind: 'timeout', phase: 'first_token', limitMs: 1_000 });
  });

  it('limits the gap between pieces once the first token came', () => {
    const attempt = new UpstreamAttempt(LIMITS);
    attempt.answered(true);
    attempt.firstToken();
    for (let i = 0; i < 10; i++) {
      jest.advanceTimersByTime(40);
      attempt.progress();
    }
    expect(attempt.signal.aborted).toBe(false);
    jest.advanceTimersByTime(50);
    expect(attempt.signal.reason).toEqual({ kind: 'timeout', phase: 'idle', limitMs: 50 });
  });

  it('limits a unary body by the idle gap', () => {
    const attempt = new UpstreamAttempt(LIMITS);
    attempt.answered(false);
    jest.advanceTimersByTime(50);
    expect(attempt.signal.reason).toMatchObject({ phase: 'idle' });
  });

  it('ends a flowing stream at the request deadline', () => {
    const attempt = new UpstreamAttempt({ ...LIMITS, deadlineUnixMs: Date.now() + 500 });
    attempt.answered(true);
    attempt.firstToken();
    for (let i = 0; i < 15; i++) {
      jest.advanceTimersByTime(40);
      attempt.progress();
    }
    expect(attempt.signal.reason).toEqual({ kind: 'timeout', phase: 'deadline', limitMs: 500 });
  });

  it('is cancelled when the caller aborts, and arms nothing once done', () => {
    const caller = new AbortController();
    const attempt = new UpstreamAttempt(LIMITS, caller.signal);
    const done = new UpstreamAttempt(LIMITS, caller.signal);
    done.done();
    caller.abort();
    expect(attempt.signal.reason).toEqual({ kind: 'cancelled' });
    expect(done.signal.aborted).toBe(false);
    done.answered(true);
    done.firstToken();
    jest.advanceTimersByTime(10_000);
    expect(done.signal.aborted).toBe(false);
  });

  it('starts cancelled when the caller already left', () => {
    const caller = new AbortController();
    caller.abort();
    expect(new UpstreamAttempt(LIMITS, caller.signal).signal.reason).toEqual({ kind: 'cancelled' });
  });
});
