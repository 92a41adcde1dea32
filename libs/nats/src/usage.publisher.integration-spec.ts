// The usage publisher against a real nats-server: a window of unacknowledged publishes, one
// stored message per request id, nothing lost while NATS restarts, and a bounded buffer whose
// overflow is counted.
import { jetstreamManager } from '@nats-io/jetstream';
import { Counter, Registry } from 'prom-client';
import pino from 'pino';
import { UsageEvent } from '@ai-gateway/proto';
import { expectEventually, startNatsServer, type NatsServerHandle } from '@ai-gateway/testing';
import { connectNats, type NatsConnection } from './nats-connection';
import { ensureUsageStream, USAGE_STREAM } from './usage-stream';
import { USAGE_PUBLISH_WINDOW, UsagePublisher } from './usage.publisher';

const silent = pino({ level: 'silent' });
const event = (requestId: string): UsageEvent => ({ ...UsageEvent.decode(new Uint8Array(0)), requestId, requestedModel: 'gpt-4o', outcome: 'success' });

async function storedCount(nc: NatsConnection): Promise<number> {
  const jsm = await jetstreamManager(nc);
  return (await jsm.streams.info(USAGE_STREAM)).state.messages;
}

async function droppedCount(counter: Counter): Promise<number> {
  return (await counter.get()).values.reduce((sum, v) => sum + v.value, 0);
}

describe('UsagePublisher (real nats-server)', () => {
  let nats: NatsServerHandle;
  let nc: NatsConnection;
  let dropped: Counter;

  beforeEach(async () => {
    nats = await startNatsServer();
    nc = await connectNats(nats.url, 'usage-publisher-test');
    await ensureUsageStream(nc);
    dropped = new Counter({ name: 'dropped_total', help: 'dropped', registers: [new Registry()] });
  });
  afterEach(async () => {
    await nc?.close();
    await nats?.dispose();
  });

  it('stores one message per request id, many more events than the window, duplicates once', async () => {
    const publisher = new UsagePublisher(nc, 10_000, dropped, silent);
    const total = USAGE_PUBLISH_WINDOW * 4 + 17;
    for (let i = 0; i < total; i++) publisher.publish(event(`req-${i}`), { traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' });
    for (let i = 0; i < 50; i++) publisher.publish(event(`req-${i}`));
    await publisher.flush(10_000);
    expect(publisher.pending()).toBe(0);
    expect(await storedCount(nc)).toBe(total);
    expect(await droppedCount(dropped)).toBe(0);
    publisher.close();
  });

  it('keeps events while nats-server restarts and sends them once it is back', async () => {
    const publisher = new UsagePublisher(nc, 10_000, dropped, silent);
    for (let i = 0; i < 100; i++) publisher.publish(event(`before-${i}`));
    await publisher.flush(10_000);
    await nats.stop();
    for (let i = 0; i < 300; i++) publisher.publish(event(`while-down-${i}`));
    expect(publisher.pending()).toBe(300);
    await nats.restart();
    await expectEventually(async () => expect(await storedCount(nc)).toBe(400), 30_000);
    await expectEventually(() => expect(publisher.pending()).toBe(0), 10_000);
    expect(await droppedCount(dropped)).toBe(0);
    publisher.close();
  });

  it('holds at most its capacity while NATS is away and counts what it dropped', async () => {
    await nats.stop();
    const publisher = new UsagePublisher(nc, 50, dropped, silent);
    for (let i = 0; i < 80; i++) publisher.publish(event(`over-${i}`));
    expect(publisher.pending()).toBe(50);
    expect(await droppedCount(dropped)).toBe(30);
    await nats.restart();
    await expectEventually(async () => expect(await storedCount(nc)).toBe(50), 30_000);
    publisher.close();
  });
});
