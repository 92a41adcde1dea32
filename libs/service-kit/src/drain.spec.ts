import { drain, type DrainSteps } from './drain';

function recorder(finish: Promise<void>): { steps: DrainSteps; log: string[] } {
  const log: string[] = [];
  return {
    log,
    steps: {
      unready: () => void log.push('unready'),
      refuseNew: () => {
        log.push('refuseNew');
        return finish;
      },
      cut: () => void log.push('cut'),
    },
  };
}

describe('drain', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('fails readiness, keeps serving for the grace period, then refuses new requests and waits for in-flight ones', async () => {
    let finishInFlight!: () => void;
    const { steps, log } = recorder(new Promise((resolve) => (finishInFlight = resolve)));
    const phases: string[] = [];
    const outcome = drain({ graceMs: 1_000, timeoutMs: 5_000 }, steps, (phase) => phases.push(phase));
    expect(log).toEqual(['unready']);
    await jest.advanceTimersByTimeAsync(999);
    expect(log).toEqual(['unready']);
    await jest.advanceTimersByTimeAsync(1);
    expect(log).toEqual(['unready', 'refuseNew']);
    await jest.advanceTimersByTimeAsync(4_000);
    finishInFlight();
    await expect(outcome).resolves.toBe('drained');
    expect(log).toEqual(['unready', 'refuseNew']);
    expect(phases).toEqual(['grace', 'refusing']);
  });

  it('cuts what is still in flight once the timeout passed', async () => {
    const { steps, log } = recorder(new Promise(() => undefined));
    const outcome = drain({ graceMs: 0, timeoutMs: 2_000 }, steps);
    await jest.advanceTimersByTimeAsync(1_999);
    expect(log).toEqual(['unready', 'refuseNew']);
    await jest.advanceTimersByTimeAsync(1);
    await expect(outcome).resolves.toBe('cut');
    expect(log).toEqual(['unready', 'refuseNew', 'cut']);
  });
});
