/**
 * Creating or opening a bucket, stream or consumer at start-up: JetStream may be electing a leader
 * (a node just restarted, the cluster just formed) or slow to place a replicated stream, and its
 * API then times out or answers "temporarily unavailable" for a few seconds. Such a call is retried
 * with a growing pause until `withinMs` has passed; what still fails then is thrown.
 */
export async function withSetupRetry<T>(setup: () => Promise<T>, withinMs = 20_000): Promise<T> {
  const deadline = Date.now() + withinMs;
  let pauseMs = 250;
  for (;;) {
    try {
      return await setup();
    } catch (error) {
      if (Date.now() + pauseMs > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, pauseMs));
      pauseMs = Math.min(pauseMs * 2, 2_000);
    }
  }
}
