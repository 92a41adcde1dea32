// The usage publisher against a real nats-server: a window of unacknowledged publishes, one
// stored message per request id, nothing lost while NATS restarts, a bounded buffer whose
// overflow is counted, and publishConfirmed() resolving only once JetStream stored the event (what
// a request's answer waits for, so a kill -9 after the answer cannot lose its event).
import { jetstreamManager } from '@nats-io/jetstream';
import { Counter, Registry } from 'prom-client';
import pino from 'pino';
import { UsageEvent } from '@ai-gateway/proto';
import { expectEventually, startNatsServer, type NatsServerHandle } from '@ai-gateway/testing';
import { connectNats, type NatsConnection } from './nats-connection';
import { ensureUsageStream, USAGE_STREAM } from './usage-stream';
import { USAGE_PUBLISH_WINDOW, UsagePublisher, type UsageOutcome } from './usage.publisher';

const silent = pino({ level: 'silent' });
const event = (requestId: string): UsageEvent => ({ ...UsageEvent.decode(new Uint8Array(0)), requestId, requestedModel: 'gpt-4o', outcome: 'success' });

async function storedCount(nc: NatsConnection): Promise<number> {
  const jsm = await jetstreamManager(nc);
  return (await jsm.streams.info(USAGE_STREAM)).state.messages;
}

/** The request ids JetStream holds, read straight from the stream. */
async function storedIds(nc: NatsConnection): Promise<Set<string>> {
  const jsm = await jetstreamManager(nc);
  const info = await jsm.streams.info(USAGE_STREAM);
  const ids = new Set<string>();
  for (let seq = info.state.first_seq; seq <= info.state.last_seq && info.state.messages > 0; seq++) {
    const message = await jsm.streams.getMessage(USAGE_STREAM, { seq });
    if (message) ids.add(UsageEvent.decode(message.data).requestId);
  }
  return ids;
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

  it('confirms many concurrent events, more than the window, each as stored', async () => {
    const publisher = new UsagePublisher(nc, 10_000, dropped, silent);
    const total = USAGE_PUBLISH_WINDOW * 3 + 5;
    const ids = Array.from({ length: total }, (_, i) => `confirmed-${i}`);
    const outcomes = await Promise.all(ids.map((id) => publisher.publishConfirmed(event(id))));
    expect(new Set(outcomes)).toEqual(new Set<UsageOutcome>(['stored']));
    expect(publisher.pending()).toBe(0);
    expect(await storedIds(nc)).toEqual(new Set(ids));
    publisher.close();
  });

  it('holds a confirmation while JetStream does not acknowledge (its stream is missing), and gives it when the stream is back', async () => {
    const jsm = await jetstreamManager(nc);
    await jsm.streams.delete(USAGE_STREAM);
    // A wait longer than this test ever needs: only the stream's return may release the answer.
    const warnings: string[] = [];
    const logger = pino({ level: 'warn' }, { write: (line: string) => void warnings.push((JSON.parse(line) as { msg: string }).msg) });
    const publisher = new UsagePublisher(nc, 100, dropped, logger, 120_000);
    let outcome: UsageOutcome | undefined;
    const confirmation = publisher.publishConfirmed(event('held')).then((o) => (outcome = o));
    // Refused by JetStream (no stream: no responders), to be sent again after a backoff: still unconfirmed.
    await expectEventually(() => expect(warnings).toContain('usage events waiting for NATS'), 10_000);
    expect(outcome).toBeUndefined();
    expect(publisher.pending()).toBe(1);
    await ensureUsageStream(nc);
    await confirmation;
    expect(outcome).toBe('stored');
    expect(await storedIds(nc)).toEqual(new Set(['held']));
    publisher.close();
  });

  it('lets the answer go on after the bounded wait when JetStream does not acknowledge; the event is stored once it can be', async () => {
    const jsm = await jetstreamManager(nc);
    await jsm.streams.delete(USAGE_STREAM);
    const publisher = new UsagePublisher(nc, 100, dropped, silent, 300);
    expect(await publisher.publishConfirmed(event('late'))).toBe('waiting');
    expect(publisher.pending()).toBe(1);
    await ensureUsageStream(nc);
    await expectEventually(async () => expect(await storedIds(nc)).toEqual(new Set(['late'])), 10_000);
    publisher.close();
  });

  it('does not hold answers while NATS is disconnected: the events wait in the buffer and are stored once it is back', async () => {
    const publisher = new UsagePublisher(nc, 100, dropped, silent, 120_000);
    expect(await publisher.publishConfirmed(event('up'))).toBe('stored');
    const held = publisher.publishConfirmed(event('in-flight-at-stop'));
    await nats.stop();
    // Released by the disconnect (not by the two-minute wait): stored before the stop, or waiting.
    expect(['stored', 'waiting']).toContain(await held);
    const whileDown = await Promise.all(Array.from({ length: 20 }, (_, i) => publisher.publishConfirmed(event(`down-${i}`))));
    expect(new Set(whileDown)).toEqual(new Set<UsageOutcome>(['waiting']));
    await nats.restart();
    const expected = new Set(['up', 'in-flight-at-stop', ...Array.from({ length: 20 }, (_, i) => `down-${i}`)]);
    await expectEventually(async () => expect(await storedIds(nc)).toEqual(expected), 30_000);
    publisher.close();
  });

  it('tells an answer whose event overflowed the buffer that it was dropped, and counts it', async () => {
    await nats.stop();
    const publisher = new UsagePublisher(nc, 5, dropped, silent, 200);
    const outcomes = await Promise.all(Array.from({ length: 8 }, (_, i) => publisher.publishConfirmed(event(`overflow-${i}`))));
    // The oldest make room; the rest wait for NATS.
    expect(outcomes).toEqual(['dropped', 'dropped', 'dropped', 'waiting', 'waiting', 'waiting', 'waiting', 'waiting']);
    expect(publisher.pending()).toBe(5);
    expect(await droppedCount(dropped)).toBe(3);
    publisher.close();
  });

  it('drops and counts at once an event that will not encode or is larger than NATS takes, and stores the events after it', async () => {
    const publisher = new UsagePublisher(nc, 100, dropped, silent, 2_000);
    const unencodable = { ...event('bad-count'), usage: { promptTokens: 1.5, completionTokens: 0, totalTokens: 0, cachedPromptTokens: 0, reasoningTokens: 0 } };
    const oversized = { ...event('huge-model'), responseModel: 'm'.repeat(2 * 1024 * 1024) };
    expect(await publisher.publishConfirmed(unencodable)).toBe('dropped');
    expect(await publisher.publishConfirmed(oversized)).toBe('dropped');
    publisher.publish(unencodable);
    // Before, the bad event went back to the front of the buffer and every later one waited behind it for good.
    const outcomes = await Promise.all(Array.from({ length: 3 }, (_, i) => publisher.publishConfirmed(event(`after-bad-${i}`))));
    expect(outcomes).toEqual(['stored', 'stored', 'stored']);
    expect(await storedIds(nc)).toEqual(new Set(['after-bad-0', 'after-bad-1', 'after-bad-2']));
    expect(await droppedCount(dropped)).toBe(3);
    publisher.close();
  });

  it('counts as dropped the events still unacknowledged when it closes', async () => {
    await nats.stop();
    const publisher = new UsagePublisher(nc, 100, dropped, silent, 200);
    for (let i = 0; i < 4; i++) publisher.publish(event(`at-close-${i}`));
    await publisher.flush(100);
    publisher.close();
    expect(await droppedCount(dropped)).toBe(4);
  });
});
