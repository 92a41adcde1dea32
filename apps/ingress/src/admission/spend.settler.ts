import { AckPolicy, DeliverPolicy, jetstream, jetstreamManager, type ConsumerMessages, type JsMsg } from '@nats-io/jetstream';
import { RESERVED_USAGE_SUBJECT, USAGE_STREAM, type NatsConnection } from '@ai-gateway/nats';
import { UsageEvent, type ApiKey } from '@ai-gateway/proto';
import type { Logger } from 'pino';
import type { OperationResult } from './limit-state';
import { hasOwnPolicy, keySubject, teamSubject } from './request-admission';
import type { ReservationStore } from './reservation.store';

/** The durable consumer every ingress replica shares: each usage event is settled by one of them. */
export const SPEND_CONSUMER = 'ingress-spend';
const ACK_WAIT_NS = 30 * 1_000_000_000;
const RETRY_MS = 500;
/** Events settled at once per replica; each is one or two KV operations, batched per subject. */
const MAX_IN_FLIGHT = 256;
/** Events delivered and not yet settled, all replicas together: the bound on settlements in flight. */
const MAX_ACK_PENDING = 2_000;
/** A failed settlement is tried again after this long (JetStream redelivery). */
const NAK_DELAY_MS = 1_000;

/** Keys as ingress knows them from config's snapshot. */
export interface KeyDirectory {
  keyById(id: string): ApiKey | undefined;
}

/** What a usage event settles: the request's actual cost and tokens, against its key and its team. */
export interface Settlement {
  requestId: string;
  apiKeyId: string;
  costUsd: number;
  tokens: number;
  model: string;
  provider: string;
  /** When the router started the request (0 when unknown). */
  startedAtMs: number;
  /** The team the request reserved against ('' in events from before that field, or without a team). */
  teamId: string;
}

/**
 * The event's settlement, or undefined for a request turned away before admission (its event,
 * from rejected-request.recorder.ts, names no model: it never reserved anything, and a flood of
 * refused requests must not become a flood of writes to the limits state).
 */
export function settlementOf(event: UsageEvent): Settlement | undefined {
  if (event.requestedModel === '' && event.responseModel === '') return undefined;
  return {
    requestId: event.requestId,
    apiKeyId: event.apiKeyId,
    costUsd: Number.isFinite(event.costUsd) && event.costUsd > 0 ? event.costUsd : 0,
    tokens: event.usage ? event.usage.promptTokens + event.usage.completionTokens : 0,
    model: event.responseModel || event.requestedModel,
    provider: event.provider,
    startedAtMs: Number(event.startedAtUnixMs) || 0,
    teamId: event.teamId ?? '',
  };
}

/**
 * Settles reservations from the usage events (the router's, or ingress's own for requests the
 * router never answered): the reservation leaves, the actual cost joins the period's spend. A
 * settlement whose reservation already expired still charges its cost.
 */
export async function settle(store: ReservationStore, keys: KeyDirectory, settlement: Settlement, settleGraceMs = 0): Promise<void> {
  // The key may be gone (deleted while the request ran): its team is still charged, and its slot freed.
  const key = keys.keyById(settlement.apiKeyId);
  const op = {
    kind: 'settle' as const,
    requestId: settlement.requestId,
    costUsd: settlement.costUsd,
    tokens: settlement.tokens,
    model: settlement.model,
    provider: settlement.provider,
    // Every reservation is held for at least the settle grace after admission (which precedes the router's start).
    reservedAtLeastUntilMs: settlement.startedAtMs > 0 ? settlement.startedAtMs + settleGraceMs : 0,
  };
  // The team the request reserved against, as the event names it; for an event from before that
  // field, the one its key's reservation names, else the key's team.
  let teamId = settlement.teamId || key?.teamId || '';
  if (key && hasOwnPolicy(key)) {
    const result: OperationResult = await store.apply(keySubject(key.id), op);
    if (!settlement.teamId && 'reservation' in result && result.reservation?.teamId) teamId = result.reservation.teamId;
  }
  if (teamId) await store.apply(teamSubject(teamId), op);
}

/** Reads the reserved requests' usage events through the shared durable consumer and settles each. */
export class SpendSettler {
  private messages: ConsumerMessages | undefined;
  private loop: Promise<void> | undefined;
  private closed = false;
  private wake: (() => void) | undefined;

  constructor(
    private readonly nc: NatsConnection,
    private readonly store: ReservationStore,
    private readonly keys: KeyDirectory,
    private readonly logger: Logger,
    /** ADMISSION_SETTLE_GRACE_MS: how long past its deadline any reservation is held. */
    private readonly settleGraceMs = 0,
  ) {}

  /** Creates the consumer when the usage stream is there (analytics creates it), else keeps trying in the background. */
  async start(): Promise<void> {
    let ready = true;
    await this.ensure().catch((error: unknown) => {
      ready = false;
      this.logger.warn({ err: error instanceof Error ? error.message : String(error) }, 'usage stream not there yet; spend settles once it is');
    });
    this.loop = this.run(ready ? 0 : 1);
  }

  async close(): Promise<void> {
    this.closed = true;
    this.wake?.();
    await this.messages?.close().catch(() => undefined);
    await this.loop;
  }

  /**
   * The consumer reads only the events of requests admitted against budgets or limits
   * (`gateway.usage.v1.reserved`): the rest never reach ingress. A consumer made by an older
   * version, reading every event, is narrowed to that subject.
   */
  private async ensure(): Promise<void> {
    const jsm = await jetstreamManager(this.nc);
    const config = {
      durable_name: SPEND_CONSUMER,
      ack_policy: AckPolicy.Explicit,
      // Spend starts when teams do: history before the consumer existed was never reserved.
      deliver_policy: DeliverPolicy.New,
      ack_wait: ACK_WAIT_NS,
      max_ack_pending: MAX_ACK_PENDING,
      filter_subject: RESERVED_USAGE_SUBJECT,
    };
    const existing = await jsm.consumers.info(USAGE_STREAM, SPEND_CONSUMER).catch(() => undefined);
    if (!existing) await jsm.consumers.add(USAGE_STREAM, config);
    else if (existing.config.filter_subject !== RESERVED_USAGE_SUBJECT) await jsm.consumers.update(USAGE_STREAM, SPEND_CONSUMER, { filter_subject: RESERVED_USAGE_SUBJECT });
  }

  private async run(initialFailures: number): Promise<void> {
    let failures = initialFailures;
    while (!this.closed) {
      try {
        if (failures > 0) await this.ensure();
        const consumer = await jetstream(this.nc).consumers.get(USAGE_STREAM, SPEND_CONSUMER);
        // The callback handles every message of one socket read in a row, so the acks of events
        // that settle nothing (a key removed since, a request refused) leave in one write.
        this.messages = await consumer.consume({
          max_messages: MAX_IN_FLIGHT,
          callback: (m) => {
            failures = 0;
            this.handle(m);
          },
        });
        if (this.closed) await this.messages.close();
        const ended = await this.messages.closed();
        if (ended instanceof Error) throw ended;
      } catch (error) {
        failures++;
        if (!this.closed && (failures === 1 || failures % 20 === 0)) {
          this.logger.warn({ err: error instanceof Error ? error.message : String(error), failures }, 'spend settler interrupted; retrying');
        }
      }
      if (!this.closed) {
        failures = Math.max(failures, 1);
        await new Promise<void>((resolve) => {
          this.wake = resolve;
          setTimeout(resolve, RETRY_MS).unref();
        });
      }
    }
  }

  private handle(m: JsMsg): void {
    let event: UsageEvent;
    try {
      event = UsageEvent.decode(m.data);
    } catch {
      m.ack();
      return;
    }
    const settlement = settlementOf(event);
    if (!settlement) {
      m.ack();
      return;
    }
    settle(this.store, this.keys, settlement, this.settleGraceMs).then(
      () => m.ack(),
      (error: unknown) => {
        this.logger.warn({ err: error instanceof Error ? error.message : String(error), requestId: event.requestId }, 'spend not settled; will retry');
        m.nak(NAK_DELAY_MS);
      },
    );
  }
}
