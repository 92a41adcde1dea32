import { of, throwError } from 'rxjs';
import pino from 'pino';
import { secretScrubber } from '@ai-gateway/logging';
import type { KeyChangeAnnouncement } from '@ai-gateway/nats';
import type { ResolvedKey } from '@ai-gateway/proto';
import type { ClientGrpcProxy } from '@nestjs/microservices';
import { ProviderKeysCache, type KeyChangeFeed } from './provider-keys.cache';
import { RouterLease } from './router-lease';

// The lease rule with fake time: a router cut off from NATS stops using its keys before key-vault
// (which counts the TTL from nats-server's write of the last renewal) may stop waiting for it.
const TTL = 4_000;
const SAFETY = 1_000;

function setUp() {
  let now = 0;
  let natsUp = true;
  let keyVaultUp = true;
  let writeDelay = 0;
  let keys: ResolvedKey[] = [{ id: 'k1', provider: 'openai', version: 1, secret: 'sk-one' }];
  const lease = new RouterLease(
    async () => {
      now += writeDelay;
      if (!natsUp) throw new Error('no NATS');
    },
    { ttlMs: TTL, safetyMs: SAFETY },
    () => now,
  );
  const proxy = {
    getService: () => ({
      resolveKeys: ({ providers }: { providers: string[] }) =>
        keyVaultUp ? of({ keys: keys.filter((k) => providers.length === 0 || providers.includes(k.provider)) }) : throwError(() => new Error('key-vault away')),
    }),
  } as unknown as ClientGrpcProxy;
  let handler: ((change: KeyChangeAnnouncement, confirm: () => void) => void) | undefined;
  const feed: KeyChangeFeed = { subscribe: (h) => ((handler = h), () => undefined) };
  const cache = new ProviderKeysCache(proxy, lease, feed, pino({ level: 'silent' }), { renewMs: 1_000 });
  const announce = (change: Omit<KeyChangeAnnouncement, 'changeId'>, changeId = String(Math.random())): Promise<void> =>
    new Promise((resolve) => handler?.({ changeId, ...change }, resolve));
  return {
    cache,
    lease,
    announce,
    advance: (ms: number) => (now += ms),
    set: (state: { natsUp?: boolean; keyVaultUp?: boolean; writeDelay?: number; keys?: ResolvedKey[] }) => {
      natsUp = state.natsUp ?? natsUp;
      keyVaultUp = state.keyVaultUp ?? keyVaultUp;
      writeDelay = state.writeDelay ?? writeDelay;
      keys = state.keys ?? keys;
    },
  };
}

describe('ProviderKeysCache with a router lease', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('keeps its keys while key-vault is away, as long as the lease is renewed', async () => {
    const t = setUp();
    await t.cache.start();
    t.set({ keyVaultUp: false });
    for (let i = 0; i < 120; i++) {
      t.advance(1_000);
      await t.cache.tick();
    }
    expect([...t.cache.providersWithKeys()]).toEqual(['openai']);
    expect(t.cache.roundRobin('openai').keys.map((k) => k.id)).toEqual(['k1']);
    t.cache.stop();
  });

  it('still honours a revocation while key-vault cannot be reached for the reload: the changed key is dropped, then confirmed', async () => {
    const t = setUp();
    await t.cache.start();
    t.set({ keyVaultUp: false });
    await t.announce({ provider: 'openai', keyId: 'k1', change: 'deleted', version: 0 });
    expect(t.cache.roundRobin('openai').keys).toEqual([]);
    t.cache.stop();
  });

  it('drops a deleted key even when the answer it reloads still holds it', async () => {
    const t = setUp();
    await t.cache.start();
    await t.announce({ provider: 'openai', keyId: 'k1', change: 'deleted', version: 0 });
    expect(t.cache.roundRobin('openai').keys).toEqual([]);
    t.cache.stop();
  });

  it("drops a deleted key whose provider key-vault no longer knows (a retried delete), wherever it is held, and confirms", async () => {
    const t = setUp();
    t.set({ keys: [{ id: 'k1', provider: 'openai', version: 1, secret: 'sk-one' }, { id: 'k2', provider: 'anthropic', version: 1, secret: 'sk-ant-two' }] });
    await t.cache.start();
    await t.announce({ provider: '', keyId: 'k2', change: 'deleted', version: 0 });
    expect(t.cache.roundRobin('anthropic').keys).toEqual([]);
    expect(t.cache.roundRobin('openai').keys.map((k) => k.id)).toEqual(['k1']);
    expect([...t.cache.providersWithKeys()]).toEqual(['openai']);
    t.cache.stop();
  });

  it('registers the keys it holds with the log scrubber and forgets the plaintext of a key it dropped', async () => {
    // Shapes no pattern of the scrubber knows, sharing no 16-character slice: only registration redacts them.
    const first = 'q7Vt3Xn9Lp2Rw8Kd4Hs6Bf1Jm5Yc0ZgQe';
    const second = 'u1Ow6Ta2Ni9Pe3Lr7Cx5Gv0Sb4Mz8DkHj';
    const t = setUp();
    t.set({ keys: [{ id: 'k9', provider: 'openai', version: 1, secret: first }] });
    await t.cache.start();
    expect(secretScrubber.scrub(`key ${first}`)).not.toContain(first.slice(10, 26));
    t.set({ keys: [{ id: 'k9', provider: 'openai', version: 2, secret: second }] });
    await t.announce({ provider: 'openai', keyId: 'k9', change: 'rotated', version: 2 });
    expect(secretScrubber.scrub(`key ${second}`)).not.toContain(second.slice(10, 26));
    expect(secretScrubber.scrub(`key ${first}`)).toBe(`key ${first}`);
    await t.announce({ provider: 'openai', keyId: 'k9', change: 'deleted', version: 0 });
    expect(secretScrubber.scrub(`key ${second}`)).toBe(`key ${second}`);
    t.cache.stop();
  });

  it('stops using every key before the lease expires when it cannot renew (cut off from NATS), and reloads once renewed', async () => {
    const t = setUp();
    await t.cache.start(); // renewal sent at 0: key-vault counts the lease until at least 0 + TTL
    t.set({ natsUp: false });
    t.advance(1_000);
    await t.cache.tick();
    t.advance(1_000);
    await t.cache.tick();
    t.advance(TTL - SAFETY - 2_000 - 1);
    expect([...t.cache.providersWithKeys()]).toEqual(['openai']);
    t.advance(1); // TTL - SAFETY after the last renewal that was sent: 1 s before key-vault's earliest expiry
    expect([...t.cache.providersWithKeys()]).toEqual([]);
    expect(t.cache.roundRobin('openai').keys).toEqual([]);
    // An announcement meanwhile is confirmed: this router holds nothing at all.
    await t.announce({ provider: 'openai', keyId: 'k1', change: 'rotated', version: 2 });
    expect(t.cache.roundRobin('openai').keys).toEqual([]);

    t.set({ natsUp: true, keys: [{ id: 'k1', provider: 'openai', version: 2, secret: 'sk-two' }] });
    t.advance(1_000);
    await t.cache.tick();
    expect(t.cache.roundRobin('openai').keys.map((k) => k.secret)).toEqual(['sk-two']);
    t.cache.stop();
  });

  it('counts the lease from when the renewal was sent: a renewal that took longer than TTL - safety grants nothing', async () => {
    const t = setUp();
    await t.cache.start();
    t.set({ writeDelay: TTL - SAFETY });
    t.advance(1_000);
    await t.cache.tick();
    t.advance(2_000);
    expect(t.cache.roundRobin('openai').keys).toEqual([]);
    t.cache.stop();
  });

  it('loads nothing without NATS: the lease must be taken before any key is used', async () => {
    const t = setUp();
    t.set({ natsUp: false });
    await expect(t.cache.start()).rejects.toThrow(/router lease/);
    expect(t.cache.roundRobin('openai').keys).toEqual([]);
    t.cache.stop();
  });
});
