// closeNats against a real nats-server: with the server there it drains (what was published
// arrives), with the server gone it closes within its bound instead of waiting for a reconnect
// that never comes.
import { startNatsServer, type NatsServerHandle } from '@ai-gateway/testing';
import { closeNats, connectNats, type NatsConnection } from './nats-connection';

describe('closeNats (real nats-server)', () => {
  let nats: NatsServerHandle;

  beforeEach(async () => {
    nats = await startNatsServer();
  });

  afterEach(async () => {
    await nats.dispose();
  });

  it('drains while the server is there: publications made just before reach a subscriber', async () => {
    const reader = await connectNats(nats.url, 'reader');
    const received: string[] = [];
    reader.subscribe('close-test', {
      callback: (_error, msg) => {
        received.push(msg.string());
      },
    });
    await reader.flush();
    const writer = await connectNats(nats.url, 'writer');
    for (let i = 0; i < 100; i++) writer.publish('close-test', String(i));

    await closeNats(writer);

    expect(writer.isClosed()).toBe(true);
    await reader.flush();
    expect(received).toHaveLength(100);
    await closeNats(reader);
  });

  it('closes within its bound while the server is gone, and stops reconnecting', async () => {
    const nc: NatsConnection = await connectNats(nats.url, 'orphan');
    nc.subscribe('anything', { callback: () => undefined });
    await nats.stop();
    // The client notices the loss and starts reconnecting (every 250 ms, for ever).
    await new Promise((resolve) => setTimeout(resolve, 500));

    const started = Date.now();
    await closeNats(nc, 300);
    const took = Date.now() - started;

    expect(nc.isClosed()).toBe(true);
    expect(took).toBeGreaterThanOrEqual(250);
    expect(took).toBeLessThan(2_000);
    // The client's own end of the connection: resolved once it stopped for good (no more reconnecting).
    await expect(nc.closed()).resolves.toBeUndefined();
  });

  it('returns at once for a connection already closed', async () => {
    const nc = await connectNats(nats.url, 'closed');
    await nc.close();
    const started = Date.now();
    await closeNats(nc, 5_000);
    expect(Date.now() - started).toBeLessThan(100);
  });
});
