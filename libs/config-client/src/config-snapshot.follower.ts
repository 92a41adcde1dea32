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
  /** Whether the watch stream is up (true once it delivered, false when it broke): the last snapshot stays in use meanwhile. */
  onConnected?: (connected: boolean) => void,
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
      next: (snapshot) => {
        onConnected?.(true);
        accept(snapshot);
      },
      error: (error: unknown) => reconnect(error),
      complete: () => reconnect(new Error('config watch completed')),
    });
  };
  const reconnect = (error: unknown): void => {
    if (stopped) return;
    onConnected?.(false);
    logger.warn({ err: error }, 'config watch broke; reconnecting, the last snapshot stays in use');
    setTimeout(() => !stopped && watch(), RECONNECT_MS).unref();
  };
  accept(await firstValueFrom(client.getSnapshot({})));
  watch();
  return () => {
    stopped = true;
    subscription?.unsubscribe();
  };
}
