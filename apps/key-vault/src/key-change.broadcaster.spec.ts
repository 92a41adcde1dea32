import type { NatsConnection } from '@nats-io/nats-core';
import pino from 'pino';
import type { KV, KvEntry } from '@ai-gateway/nats';
import { KeyChangeBroadcaster, RevocationTimeoutError } from './key-change.broadcaster';

/** A lease as the bucket holds it: written now, with the router lease's TTL. */
function lease(replicaId: string, revision: number): KvEntry {
  return {
    key: replicaId,
    revision,
    operation: 'PUT',
    value: new Uint8Array(1),
    created: new Date(),
    json: () => ({ replicaId, ttlMs: 13_000 }),
  } as unknown as KvEntry;
}

/**
 * NATS where every router named in `answering` confirms each announcement it is sent, and a lease
 * bucket whose watch (never started here) is behind: the bucket holds `leases` up to revision 10.
 */
function setUp(leases: KvEntry[], answering: string[], logger = pino({ level: 'silent' })) {
  const published: string[] = [];
  let deliver: ((data: string) => void) | undefined;
  const nc = {
    subscribe: () => {
      const queue: string[] = [];
      let wake: (() => void) | undefined;
      deliver = (data) => {
        queue.push(data);
        wake?.();
      };
      return {
        unsubscribe: () => undefined,
        async *[Symbol.asyncIterator]() {
          for (;;) {
            while (queue.length > 0) yield { json: () => JSON.parse(queue.shift() as string) as unknown };
            await new Promise<void>((resolve) => (wake = resolve));
          }
        },
      };
    },
    publish: (_subject: string, data: string) => {
      published.push(data);
      const { changeId } = JSON.parse(data) as { changeId: string };
      for (const replicaId of answering) setTimeout(() => deliver?.(JSON.stringify({ changeId, replicaId })), 1);
    },
    flush: () => Promise.resolve(),
  } as unknown as NatsConnection;
  const bucket = {
    status: () => Promise.resolve({ values: leases.length, streamInfo: { state: { last_seq: 10 } } }),
    keys: () =>
      Promise.resolve(
        (async function* () {
          for (const entry of leases) yield entry.key;
        })(),
      ),
    get: (key: string) => Promise.resolve(leases.find((entry) => entry.key === key) ?? null),
  } as unknown as KV;
  return { broadcaster: new KeyChangeBroadcaster(nc, bucket, logger), published };
}

const DELETE = { provider: 'openai', keyId: 'pk_0123456789abcdef', change: 'deleted' as const, version: 0 };

describe('KeyChangeBroadcaster with a lease watch behind its bucket', () => {
  it('reads the leases from the bucket and waits for every live router, not only those the watch had seen', async () => {
    const { broadcaster } = setUp([lease('router-a', 9), lease('router-b', 10)], ['router-a', 'router-b']);
    expect(await broadcaster.announce(DELETE, 5_000)).toEqual(['router-a', 'router-b']);
  });

  it('fails the revocation naming a live router that does not confirm, instead of passing it over', async () => {
    const { broadcaster } = setUp([lease('router-a', 9), lease('router-b', 10)], ['router-a']);
    const error = await broadcaster.announce(DELETE, 1_500).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RevocationTimeoutError);
    expect((error as RevocationTimeoutError).unconfirmed).toEqual(['router-b']);
  });

  it('lets an addition stand when a live router does not confirm it, logging that router', async () => {
    const logged: string[] = [];
    const { broadcaster } = setUp([lease('router-a', 9), lease('router-b', 10)], ['router-a'], pino({ level: 'warn' }, { write: (line: string) => void logged.push(line) }));
    await expect(broadcaster.announceAddition({ provider: 'openai', keyId: 'pk_0123456789abcdef', version: 1 }, 1_500)).resolves.toBeUndefined();
    expect(logged.join('')).toMatch(/"unconfirmed":\["router-b"\].*did not confirm loading an added key/);
  });

  it('publishes the change even when no live router is known', async () => {
    const { broadcaster, published } = setUp([], []);
    expect(await broadcaster.announce(DELETE, 1_000)).toEqual([]);
    expect(published).toHaveLength(1);
    expect(JSON.parse(published[0])).toMatchObject(DELETE);
  });
});
