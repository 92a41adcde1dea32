import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { UsagePublisher } from '@ai-gateway/nats';
import { errorTypeOf } from './http-reply';
import { correlationIdOf } from './correlation-id';

const OPERATIONS: Record<string, 'chat' | 'embeddings' | 'count_tokens'> = {
  '/v1/chat/completions': 'chat',
  '/v1/embeddings': 'embeddings',
  '/v1/messages': 'chat',
  '/v1/messages/count_tokens': 'count_tokens',
};

export interface InternalFailure {
  requestId: string;
  correlationId: string;
  apiKeyId: string;
  operation: 'chat' | 'embeddings';
  model: string;
  stream: boolean;
  httpStatus: number;
  errorType: string;
  startedAt: number;
  /** Admitted against budgets or limits: the event settles the request's reservation. */
  reserved: boolean;
  /** The team the request reserved against, when it did. */
  teamId?: string;
}

/** Error codes that mean the router never answered for the request: ingress records its usage event itself. */
export const INTERNAL_FAILURE_CODES = new Set(['gateway_unavailable', 'gateway_misconfigured', 'gateway_overloaded']);

/**
 * Requests the gateway turned away before routing (and count_tokens, which it answers itself) (auth, validation, body size) still get
 * their one UsageEvent, so analytics counts every request, rejected ones included.
 */
export class RejectedRequestRecorder {
  private readonly routed = new WeakSet<IncomingMessage>();

  constructor(private readonly usage: UsagePublisher) {}

  markRouted(request: IncomingMessage): void {
    this.routed.add(request);
  }

  /**
   * A routed request that failed because the router could not be reached or answered nothing
   * usable: published under the request's own id, so when the router did publish its event,
   * JetStream de-duplication keeps exactly one.
   */
  recordInternalFailure(failure: InternalFailure): void {
    this.usage.publish({
      requestId: failure.requestId,
      correlationId: failure.correlationId,
      apiKeyId: failure.apiKeyId,
      operation: failure.operation,
      requestedModel: failure.model,
      provider: '',
      providerKind: '',
      responseModel: '',
      stream: failure.stream,
      outcome: 'error',
      httpStatus: failure.httpStatus,
      errorType: failure.errorType,
      usage: undefined,
      hasUsage: false,
      costUsd: 0,
      startedAtUnixMs: failure.startedAt,
      durationMs: Date.now() - failure.startedAt,
      timeToFirstTokenMs: 0,
      attempts: [],
      ...(failure.reserved ? { reserved: true } : {}),
      ...(failure.reserved && failure.teamId ? { teamId: failure.teamId } : {}),
    });
  }

  /** Called once a response is finished. */
  onResponse(request: IncomingMessage, response: ServerResponse, apiKeyIdOf: () => string | undefined, startedAt: number): void {
    const operation = OPERATIONS[(request.url ?? '').split('?')[0]];
    // count_tokens never reaches the router (the gateway answers it): its event comes from here, answered or not.
    const answeredHere = operation === 'count_tokens';
    if (!operation || this.routed.has(request) || (response.statusCode < 400 && !answeredHere)) return;
    const failed = response.statusCode >= 400;
    this.usage.publish({
      requestId: `req_${randomUUID().replace(/-/g, '')}`,
      correlationId: correlationIdOf(request.headers['x-request-id']),
      apiKeyId: apiKeyIdOf() ?? '',
      operation,
      requestedModel: '',
      provider: '',
      providerKind: '',
      responseModel: '',
      stream: false,
      outcome: failed ? 'error' : 'success',
      httpStatus: response.statusCode,
      errorType: failed ? (errorTypeOf(response) ?? 'invalid_request_error') : '',
      usage: undefined,
      hasUsage: false,
      costUsd: 0,
      startedAtUnixMs: startedAt,
      durationMs: Date.now() - startedAt,
      timeToFirstTokenMs: 0,
      attempts: [],
    });
  }
}
