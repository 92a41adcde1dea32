import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { UsagePublisher } from '@ai-gateway/nats';
import { errorTypeOf } from './http-reply';
import { correlationIdOf } from './correlation-id';

const OPERATIONS: Record<string, 'chat' | 'embeddings'> = {
  '/v1/chat/completions': 'chat',
  '/v1/embeddings': 'embeddings',
};

/**
 * Requests the gateway turned away before routing (auth, validation, body size) still get
 * their one UsageEvent, so analytics counts every request, rejected ones included.
 */
export class RejectedRequestRecorder {
  private readonly routed = new WeakSet<IncomingMessage>();

  constructor(private readonly usage: UsagePublisher) {}

  markRouted(request: IncomingMessage): void {
    this.routed.add(request);
  }

  /** Called once a response is finished. */
  onResponse(request: IncomingMessage, response: ServerResponse, apiKeyIdOf: () => string | undefined, startedAt: number): void {
    const operation = OPERATIONS[(request.url ?? '').split('?')[0]];
    if (!operation || this.routed.has(request) || response.statusCode < 400) return;
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
      outcome: 'error',
      httpStatus: response.statusCode,
      errorType: errorTypeOf(response) ?? 'invalid_request_error',
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
