import { withSetupRetry } from './setup-retry';

describe('withSetupRetry', () => {
  it('retries a set-up call that fails while JetStream settles, and returns its result', async () => {
    let calls = 0;
    const result = await withSetupRetry(async () => {
      calls += 1;
      if (calls < 3) throw new Error('JetStream system temporarily unavailable');
      return 'created';
    }, 5_000);
    expect([result, calls]).toEqual(['created', 3]);
  });

  it('gives up once its time is spent, with the last error', async () => {
    let calls = 0;
    const started = Date.now();
    await expect(
      withSetupRetry(async () => {
        calls += 1;
        throw new Error(`timeout ${calls}`);
      }, 600),
    ).rejects.toThrow(/^timeout \d$/);
    expect(calls).toBeGreaterThanOrEqual(2);
    expect(Date.now() - started).toBeLessThan(5_000);
  });
});
