import { firstValueFrom, type Subscription } from 'rxjs';
import type { ConfigServiceClient, ConfigSnapshot } from '@ai-gateway/proto';
import type { Logger } from 'pino';

const RECONNECT_MS = 500;

/**
 * Hands every config snapshot to `apply`: the current one (awaited), then each change from
 * config's watch stream, reconnecting when the stream breaks; an older revision arriving late
 * is ignored. Resolves with a function that stops following.
 */
export async function followConfigSnapshots(
  client: ConfigServiceClient,
  apply: (snapshot: ConfigSnapshot) => void,
  logger: Logger,
): Promise<() => void> {
  let revision = -1;
  let subscription: Subscription | undefined;
  let stopped = false;
  const accept = (snapshot: ConfigSnapshot): void => {
    if (snapshot.revision < revision) return;
    revision = snapshot.revision;
    apply(snapshot);
  };
  const watch = (): void => {
    subscription = client.watchSnapshot({}).subscribe({
      next: accept,
      error: (error: unknown) => reconnect(error),
      complete: () => reconnect(new Error('config watch completed')),
    });
  };
  const reconnect = (error: unknown): void => {
    if (stopped) return;
    logger.warn({ err: error }, 'config watch broke; reconnecting');
    setTimeout(() => !stopped && watch(), RECONNECT_MS).unref();
  };
  accept(await firstValueFrom(client.getSnapshot({})));
  watch();
  return () => {
    stopped = true;
    subscription?.unsubscribe();
  };
}
