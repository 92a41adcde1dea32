import type { KV, KvEntry } from '@nats-io/kv';
import type { Logger } from 'pino';

/**
 * Follows a KV bucket: every current entry, then every change, is handed to `apply`. Resolves
 * once the current entries have been applied (at once for an empty bucket, which delivers none)
 * with a function that stops following. An entry `apply` throws on is logged (by key and
 * revision, never its value) and passed over: one bad entry never ends the watch.
 */
export async function mirrorKv(kv: KV, key: string, apply: (entry: KvEntry) => void, logger: Logger): Promise<() => void> {
  const watcher = await kv.watch({ key });
  let initialDone!: () => void;
  const initial = new Promise<void>((resolve) => (initialDone = resolve));
  if ((await kv.status()).values === 0) initialDone();
  void (async () => {
    for await (const entry of watcher) {
      try {
        apply(entry);
      } catch (error) {
        logger.error({ err: error, key: entry.key, revision: entry.revision }, 'KV entry could not be applied; passed over');
      }
      if (entry.delta === 0) initialDone();
    }
  })().catch((error: unknown) => logger.error({ err: error, key }, 'KV watch ended'));
  await initial;
  return () => watcher.stop();
}
