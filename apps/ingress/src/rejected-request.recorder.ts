import type { IncomingMessage, ServerResponse } from 'node:http';
import type { UsagePublisher, UsageOutcome } from '@ai-gateway/nats';
import type { Usage, UsageEvent } from '@ai-gateway/proto';
import { errorTypeOf } from './http-reply';
import { correlationIdOf } from './correlation-id';
import { requestIdOf } from './request-id';

const OPERATIONS: Record<string, 'chat' | 'embeddings' | 'count_tokens'> = {
  '/v1/chat/completions': 'chat',
  '/v1/embeddings': 'embeddings',
  '/v1/messages': 'chat',
  '/v1/messages/count_tokens': 'count_tokens',
};

/**
 * How long the event of a request whose client left before its answer waits before it is
 * published. The router, if the call reached it, publishes its own event (same id: the real
 * usage, or its cancellation) within this time, and JetStream's de-duplication by id (a 2-minute
 * window) keeps the one stored first; when the call never reached the router (a grpc-js call
 * cancelled before its handler ran) or was never made (the client left during the body read),
 * this one is the request's event.
 */
export const CANCELLED_EVENT_DELAY_MS = 2_000;

export interface InternalFailure {
  requestId: string;
  correlationId: string;
  apiKeyId: string;
  operation: 'chat' | 'embeddings' | 'count_tokens';
  model: string;
  stream: boolean;
  httpStatus: number;
  errorType: string;
  startedAt: number;
  /** Admitted against budgets or limits: the event settles the request's reservation. */
  reserved: boolean;
  /** The team the request reserved against, when it did. */
  teamId?: string;
  /** What the client was sent of a stream cut after content (200, stream_interrupted): an estimate, flagged so. */
  estimatedUsage?: Usage;
}

/** Who and what of a request, without what became of it. */
export type RecordedRequest = Omit<InternalFailure, 'httpStatus' | 'errorType' | 'estimatedUsage'>;

/** Error codes that mean the router never answered for the request: ingress records its usage event itself. */
export const INTERNAL_FAILURE_CODES = new Set(['gateway_unavailable', 'gateway_misconfigured', 'gateway_overloaded']);

/**
 * The usage events ingress records itself: requests the gateway turned away before routing (auth,
 * validation, body size), count_tokens (which it answers itself), requests the router never
 * answered, requests it cut while draining, and requests whose client left before its answer. Every
 * event is under the request's one id (request-id.ts), the one its client was given.
 */
export class RejectedRequestRecorder {
  private readonly routed = new WeakSet<IncomingMessage>();
  private readonly delayed = new Set<NodeJS.Timeout>();
  private allPublished: Array<() => void> = [];

  constructor(
    private readonly usage: UsagePublisher,
    private readonly cancelledDelayMs = CANCELLED_EVENT_DELAY_MS,
  ) {}

  /** The route handler records this request's event itself, or the router does. */
  markRouted(request: IncomingMessage): void {
    this.routed.add(request);
  }

  /**
   * A routed request that failed because the router could not be reached or answered nothing
   * usable, or that ingress cut: published under the request's own id, so when the router did
   * publish its event, JetStream de-duplication keeps exactly one. Resolves once JetStream stored
   * it (or could not now: usage.publisher.ts), so a caller can cancel the router call after it
   * and the router's own event of the cancellation comes second.
   */
  recordInternalFailure(failure: InternalFailure): Promise<UsageOutcome> {
    return this.usage.publishConfirmed(eventOf(failure));
  }

  /**
   * A request whose client left before its answer: 499 `cancelled`, published after
   * CANCELLED_EVENT_DELAY_MS so that an event the router publishes for it is stored first.
   */
  recordCancelled(request: RecordedRequest): void {
    this.later(eventOf({ ...request, httpStatus: 499, errorType: 'cancelled' }));
  }

  /** Resolves once every event waiting for its delay was published (on shutdown, before the publisher is flushed). */
  whenPublished(): Promise<void> {
    if (this.delayed.size === 0) return Promise.resolve();
    return new Promise<void>((resolve) => this.allPublished.push(resolve));
  }

  /** Called once a response is closed: finished, or its client gone. */
  onResponse(request: IncomingMessage, response: ServerResponse, apiKeyIdOf: () => string | undefined, startedAt: number): void {
    const operation = OPERATIONS[(request.url ?? '').split('?')[0]];
    if (!operation || this.routed.has(request)) return;
    const refused: RecordedRequest = {
      requestId: requestIdOf(request),
      correlationId: correlationIdOf(request.headers['x-request-id']),
      apiKeyId: apiKeyIdOf() ?? '',
      operation,
      model: '',
      stream: false,
      startedAt,
      reserved: false,
    };
    if (!response.writableEnded) {
      // The client left before its answer was sent (during the body read, or while the handler worked):
      // unless the handler took the request over meanwhile (it records the event then), 499.
      this.later(eventOf({ ...refused, httpStatus: 499, errorType: 'cancelled' }), () => this.routed.has(request));
      return;
    }
    // count_tokens never reaches the router (the gateway answers it): its event comes from here, answered or not.
    if (response.statusCode < 400 && operation !== 'count_tokens') return;
    const failed = response.statusCode >= 400;
    this.usage.publish({
      ...eventOf({ ...refused, httpStatus: response.statusCode, errorType: failed ? (errorTypeOf(response) ?? 'invalid_request_error') : '' }),
      outcome: failed ? 'error' : 'success',
    });
  }

  private later(event: UsageEvent, skip: () => boolean = () => false): void {
    const timer = setTimeout(() => {
      this.delayed.delete(timer);
      if (!skip()) this.usage.publish(event);
      if (this.delayed.size === 0) for (const resolve of this.allPublished.splice(0)) resolve();
    }, this.cancelledDelayMs);
    this.delayed.add(timer);
  }
}

function eventOf(failure: InternalFailure): UsageEvent {
  const usage = failure.estimatedUsage;
  return {
    requestId: failure.requestId,
    correlationId: failure.correlationId,
    apiKeyId: failure.apiKeyId,
    operation: failure.operation,
    requestedModel: failure.model,
    provider: '',
    providerKind: '',
    responseModel: '',
    stream: failure.stream,
    outcome: failure.errorType === 'cancelled' ? 'cancelled' : 'error',
    httpStatus: failure.httpStatus,
    errorType: failure.errorType,
    usage,
    hasUsage: usage !== undefined,
    costUsd: 0,
    startedAtUnixMs: failure.startedAt,
    durationMs: Date.now() - failure.startedAt,
    timeToFirstTokenMs: 0,
    attempts: [],
    ...(usage ? { usageEstimated: true } : {}),
    ...(failure.reserved ? { reserved: true } : {}),
    ...(failure.reserved && failure.teamId ? { teamId: failure.teamId } : {}),
  };
}
