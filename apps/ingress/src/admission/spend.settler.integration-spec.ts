import { AckPolicy, DeliverPolicy, jetstream, jetstreamManager } from '@nats-io/jetstream';
import pino from 'pino';
import { connectNats, ensureUsageStream, KV_BUCKETS, openKvBucket, RESERVED_USAGE_SUBJECT, USAGE_STREAM, USAGE_SUBJECT, type NatsConnection } from '@ai-gateway/nats';
import { UsageEvent, type ApiKey } from '@ai-gateway/proto';
import { expectEventually, startNatsServer, type NatsServerHandle } from '@ai-gateway/testing';
import { keySubject } from './request-admission';
import { ReservationStore } from './reservation.store';
import { SPEND_CONSUMER, SpendSettler } from './spend.settler';

const KEY: ApiKey = { id: 'key_budget', name: 'budget', keySha256: '', allowedModels: [], createdAt: '', teamId: '', expiresAt: '', budget: { amountUsd: 10, period: 'day' } };

function event(requestId: string, costUsd: number): UsageEvent {
  return { ...UsageEvent.decode(new Uint8Array(0)), requestId, apiKeyId: KEY.id, operation: 'chat', requestedModel: 'gpt-4o', responseModel: 'gpt-4o', outcome: 'success', httpStatus: 200, costUsd };
}

describe('SpendSettler on a real nats-server', () => {
  let nats: NatsServerHandle;
  let nc: NatsConnection;
  let settler: SpendSettler;
  let store: ReservationStore;

  beforeAll(async () => {
    nats = await startNatsServer();
    nc = await connectNats(nats.url, 'settler-spec');
    await ensureUsageStream(nc);
    // What an older ingress left behind: the shared consumer reading every usage event.
    const jsm = await jetstreamManager(nc);
    await jsm.consumers.add(USAGE_STREAM, { durable_name: SPEND_CONSUMER, ack_policy: AckPolicy.Explicit, deliver_policy: DeliverPolicy.New });
    store = new ReservationStore(await openKvBucket(nc, KV_BUCKETS.limits, 1, 1));
    settler = new SpendSettler(nc, store, { keyById: (id) => (id === KEY.id ? KEY : undefined) }, pino({ level: 'silent' }));
    await settler.start();
  });

  afterAll(async () => {
    await settler.close();
    await nc.drain();
    await nats.dispose();
  });

  it('narrows a consumer made by an older version to the reserved subject', async () => {
    const jsm = await jetstreamManager(nc);
    const info = await jsm.consumers.info(USAGE_STREAM, SPEND_CONSUMER);
    expect(info.config.filter_subject).toBe(RESERVED_USAGE_SUBJECT);
  });

  it('settles the events published as reserved, and never receives the others', async () => {
    const js = jetstream(nc);
    const jsm = await jetstreamManager(nc);
    const before = (await jsm.consumers.info(USAGE_STREAM, SPEND_CONSUMER)).delivered.consumer_seq;
    for (let i = 0; i < 20; i++) await js.publish(USAGE_SUBJECT, UsageEvent.encode(event(`req_free_${i}`, 1)).finish(), { msgID: `req_free_${i}` });
    await js.publish(RESERVED_USAGE_SUBJECT, UsageEvent.encode({ ...event('req_reserved', 0.25), reserved: true }).finish(), { msgID: 'req_reserved' });
    await expectEventually(async () => expect((await store.read(keySubject(KEY.id)))?.spentUsd).toBeCloseTo(0.25, 6));
    const info = await jsm.consumers.info(USAGE_STREAM, SPEND_CONSUMER);
    expect({ delivered: info.delivered.consumer_seq - before, pending: info.num_pending, unacknowledged: info.num_ack_pending }).toEqual({ delivered: 1, pending: 0, unacknowledged: 0 });
    const stream = await jsm.streams.info(USAGE_STREAM);
    expect(stream.state.messages).toBe(21);
  });
});
